import '@sigil/express';
