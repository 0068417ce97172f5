/** Values of authorizer.class.name that turn the ACL authorizer on (Kafka's class names and a short form). */
export const AUTHORIZER_NAMES = ['kafka.security.authorizer.AclAuthorizer', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'kafka.security.auth.SimpleAclAuthorizer', 'acl']
