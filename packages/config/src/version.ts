export const PINCER_VERSION = '0.1.0';
