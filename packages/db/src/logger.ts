/** The logging calls the stores make. A pino logger satisfies it. */
export interface StoreLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const silentLogger: StoreLogger = {
  info: () => {},
  warn: () => {},
  error: () => {},
};
