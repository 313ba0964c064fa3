// What the main step records for its post step: the names it exported and the sections it wrote.
export const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
export const REGION_VARIABLES = ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const;
export const PROFILE_VARIABLES = ['AWS_PROFILE', 'AWS_CONFIG_FILE'] as const;
/** Every variable this action may export, and so the only ones its post step may blank. */
export const EXPORTABLE_VARIABLES: readonly string[] = [...CREDENTIAL_VARIABLES, ...REGION_VARIABLES, ...PROFILE_VARIABLES];
/** The refresh server's variables: exported only with it, so only the post step blanks them (unset-current-credentials does not). */
export const SERVER_VARIABLES = ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN'] as const;
/** What the post step may blank: only names this action exports. */
export const POST_VARIABLES: readonly string[] = [...EXPORTABLE_VARIABLES, ...SERVER_VARIABLES];
export const EXPORTED_STATE = 'exported-variables';
export const PROFILES_STATE = 'profile-sections';
/** The refresh-credentials profile, apart from PROFILES_STATE: one run can write both. */
export const REFRESH_STATE = 'refresh-profile';
