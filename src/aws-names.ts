/** The shapes of AWS identifiers, as STS and IAM define them. */
export const ROLE_ARN_PATTERN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):iam::(\d{12}):role\/((?:[\x21-\x7e]{1,510}\/)?)([\w+=,.@-]{1,64})$/;
// Two to four letters first: eusc-de-east-1 (European Sovereign Cloud) as well as us-east-1.
export const REGION_PATTERN = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
export const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

// The shapes of what STS and GitHub answer, checked before any of it is used, masked or printed.
const PARTITION = '(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc)';
/** arn:<partition>:sts::<account>:assumed-role/<role name>/<session name>. */
export const ASSUMED_ROLE_ARN_PATTERN = new RegExp(`^arn:${PARTITION}:sts::(\\d{12}):assumed-role/([\\w+=,.@-]{1,64})/([\\w+=,.@-]{2,64})$`);
/** Any principal GetCallerIdentity names: a user, a root, an assumed role or a federated user; printable ASCII, no spaces. */
export const CALLER_ARN_PATTERN = new RegExp(`^arn:${PARTITION}:(iam|sts)::(\\d{12}):[\\x21-\\x7e]{1,2048}$`);
/** GetCallerIdentity's UserId: AIDA…, AROA…:session, an account id, or account:name. */
export const USER_ID_PATTERN = /^[\w+=,.@:-]{1,256}$/;
/** STS's accessKeyIdType. */
export const ACCESS_KEY_ID_PATTERN = /^\w{16,128}$/;
/** A secret key or session token: base64, as STS issues them. */
export const SECRET_KEY_PATTERN = /^[A-Za-z0-9+/=]{16,128}$/;
export const SESSION_TOKEN_PATTERN = /^[A-Za-z0-9+/=]{16,65536}$/;
/** A JWT in compact form: three base64url segments. */
export const JWT_PATTERN = /^[\w-]+\.[\w-]+\.[\w-]+$/;
