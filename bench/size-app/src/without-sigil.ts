// The baseline app of the size benchmark (bench/angular-size.ts): the shared app shell, no Sigil.
import { startApp } from './app-shell';

startApp({ signedIn: [], admin: [], interceptors: [], providers: [] });
