export * from './auth.limits';
export * from './auth.patterns';
export * from './login-code.dto';
export * from './refresh-token.dto';
export * from './session.dto';
export * from './sign-in.dto';
