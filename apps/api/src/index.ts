/** The demo lessons API: app factory, server starter and configuration loader. */
export { createApiApp, type ApiAppOptions } from './app.ts';
export { startApiServer, type RunningApi } from './server.ts';
export { loadApiConfig, ConfigError, type ApiConfig } from './config.ts';
export { createLessonStore, type Lesson, type LessonStore, type NewLesson } from './lessons.ts';
