declare module '@remix-run/multipart-parser' {
  export * from '@remix-run/multipart-parser/dist/index';
}
