/**
 * Which mail access an account has: outlook / graph sign in to Microsoft, gmail / gmail-api
 * to Google (providers.ts says what each serves). A file of its own because both the account
 * status and EmailEngine's view of an account name it.
 */
export type ScopeProfile = 'outlook' | 'graph' | 'gmail' | 'gmail-api';
