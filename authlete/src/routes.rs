//! Where each Authlete operation lives in API generations 2 and 3, and which credentials it takes.

use crate::client::{Credentials, Route};

pub(crate) const SERVICE_GET_API: Route = Route {
    operation: "service_get_api",
    method: "GET",
    v3_path: "/api/{serviceId}/service/get",
    v2_path: Some("/api/service/get/{serviceApiKey}"),
    credentials: Credentials::ServiceOwner,
};
pub(crate) const SERVICE_GET_LIST_API: Route = Route {
    operation: "service_get_list_api",
    method: "GET",
    v3_path: "/api/service/get/list",
    v2_path: Some("/api/service/get/list"),
    credentials: Credentials::ServiceOwner,
};
pub(crate) const SERVICE_CREATE_API: Route = Route {
    operation: "service_create_api",
    method: "POST",
    v3_path: "/api/service/create",
    v2_path: Some("/api/service/create"),
    credentials: Credentials::ServiceOwner,
};
pub(crate) const SERVICE_UPDATE_API: Route = Route {
    operation: "service_update_api",
    method: "POST",
    v3_path: "/api/{serviceId}/service/update",
    v2_path: Some("/api/service/update/{serviceApiKey}"),
    credentials: Credentials::ServiceOwner,
};
pub(crate) const SERVICE_DELETE_API: Route = Route {
    operation: "service_delete_api",
    method: "DELETE",
    v3_path: "/api/{serviceId}/service/delete",
    v2_path: Some("/api/service/delete/{serviceApiKey}"),
    credentials: Credentials::ServiceOwner,
};
pub(crate) const CLIENT_GET_API: Route = Route {
    operation: "client_get_api",
    method: "GET",
    v3_path: "/api/{serviceId}/client/get/{clientId}",
    v2_path: Some("/api/client/get/{clientId}"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_GET_LIST_API: Route = Route {
    operation: "client_get_list_api",
    method: "GET",
    v3_path: "/api/{serviceId}/client/get/list",
    v2_path: Some("/api/client/get/list"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_CREATE_API: Route = Route {
    operation: "client_create_api",
    method: "POST",
    v3_path: "/api/{serviceId}/client/create",
    v2_path: Some("/api/client/create"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_UPDATE_API: Route = Route {
    operation: "client_update_api",
    method: "POST",
    v3_path: "/api/{serviceId}/client/update/{clientId}",
    v2_path: Some("/api/client/update/{clientId}"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_DELETE_API: Route = Route {
    operation: "client_delete_api",
    method: "DELETE",
    v3_path: "/api/{serviceId}/client/delete/{clientId}",
    v2_path: Some("/api/client/delete/{clientId}"),
    credentials: Credentials::ServiceOwnerPreferred,
};
pub(crate) const CLIENT_FLAG_UPDATE_API: Route = Route {
    operation: "client_flag_update_api",
    method: "POST",
    v3_path: "/api/{serviceId}/client/lock_flag/update/{clientIdentifier}",
    v2_path: Some("/api/client/lock_flag/update/{clientIdentifier}"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_SECRET_REFRESH_API: Route = Route {
    operation: "client_secret_refresh_api",
    method: "GET",
    v3_path: "/api/{serviceId}/client/secret/refresh/{clientIdentifier}",
    v2_path: Some("/api/client/secret/refresh/{clientIdentifier}"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_SECRET_UPDATE_API: Route = Route {
    operation: "client_secret_update_api",
    method: "POST",
    v3_path: "/api/{serviceId}/client/secret/update/{clientIdentifier}",
    v2_path: Some("/api/client/secret/update/{clientIdentifier}"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_AUTHORIZATION_GET_LIST_API: Route = Route {
    operation: "client_authorization_get_list_api",
    method: "GET",
    v3_path: "/api/{serviceId}/client/authorization/get/list",
    v2_path: Some("/api/client/authorization/get/list"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_AUTHORIZATION_GET_LIST_API_POST: Route = Route {
    operation: "client_authorization_get_list_api_post",
    method: "POST",
    v3_path: "/api/{serviceId}/client/authorization/get/list",
    v2_path: Some("/api/client/authorization/get/list"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_AUTHORIZATION_GET_LIST_BY_SUBJECT_API: Route = Route {
    operation: "client_authorization_get_list_by_subject_api",
    method: "GET",
    v3_path: "/api/{serviceId}/client/authorization/get/list/{subject}",
    v2_path: Some("/api/client/authorization/get/list/{subject}"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_AUTHORIZATION_UPDATE_API: Route = Route {
    operation: "client_authorization_update_api",
    method: "POST",
    v3_path: "/api/{serviceId}/client/authorization/update/{clientId}",
    v2_path: Some("/api/client/authorization/update/{clientId}"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_AUTHORIZATION_DELETE_API: Route = Route {
    operation: "client_authorization_delete_api",
    method: "DELETE",
    v3_path: "/api/{serviceId}/client/authorization/delete/{clientId}",
    v2_path: Some("/api/client/authorization/delete/{clientId}"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_AUTHORIZATION_DELETE_API_POST: Route = Route {
    operation: "client_authorization_delete_api_post",
    method: "POST",
    v3_path: "/api/{serviceId}/client/authorization/delete/{clientId}",
    v2_path: Some("/api/client/authorization/delete/{clientId}"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_AUTHORIZATION_DELETE_BY_SUBJECT_API: Route = Route {
    operation: "client_authorization_delete_by_subject_api",
    method: "DELETE",
    v3_path: "/api/{serviceId}/client/authorization/delete/{clientId}/{subject}",
    v2_path: Some("/api/client/authorization/delete/{clientId}/{subject}"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_GRANTED_SCOPES_GET_API: Route = Route {
    operation: "client_granted_scopes_get_api",
    method: "GET",
    v3_path: "/api/{serviceId}/client/granted_scopes/get/{clientId}",
    v2_path: Some("/api/client/granted_scopes/get/{clientId}"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_GRANTED_SCOPES_GET_API_POST: Route = Route {
    operation: "client_granted_scopes_get_api_post",
    method: "POST",
    v3_path: "/api/{serviceId}/client/granted_scopes/get/{clientId}",
    v2_path: Some("/api/client/granted_scopes/get/{clientId}"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_GRANTED_SCOPES_GET_BY_SUBJECT_API: Route = Route {
    operation: "client_granted_scopes_get_by_subject_api",
    method: "GET",
    v3_path: "/api/{serviceId}/client/granted_scopes/get/{clientId}/{subject}",
    v2_path: Some("/api/client/granted_scopes/get/{clientId}/{subject}"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_GRANTED_SCOPES_DELETE_API: Route = Route {
    operation: "client_granted_scopes_delete_api",
    method: "DELETE",
    v3_path: "/api/{serviceId}/client/granted_scopes/delete/{clientId}",
    v2_path: Some("/api/client/granted_scopes/delete/{clientId}"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_GRANTED_SCOPES_DELETE_BY_SUBJECT_API: Route = Route {
    operation: "client_granted_scopes_delete_by_subject_api",
    method: "DELETE",
    v3_path: "/api/{serviceId}/client/granted_scopes/delete/{clientId}/{subject}",
    v2_path: Some("/api/client/granted_scopes/delete/{clientId}/{subject}"),
    credentials: Credentials::Service,
};
pub(crate) const AUTH_AUTHORIZATION_API: Route = Route {
    operation: "auth_authorization_api",
    method: "POST",
    v3_path: "/api/{serviceId}/auth/authorization",
    v2_path: Some("/api/auth/authorization"),
    credentials: Credentials::Service,
};
pub(crate) const AUTH_AUTHORIZATION_FAIL_API: Route = Route {
    operation: "auth_authorization_fail_api",
    method: "POST",
    v3_path: "/api/{serviceId}/auth/authorization/fail",
    v2_path: Some("/api/auth/authorization/fail"),
    credentials: Credentials::Service,
};
pub(crate) const AUTH_AUTHORIZATION_ISSUE_API: Route = Route {
    operation: "auth_authorization_issue_api",
    method: "POST",
    v3_path: "/api/{serviceId}/auth/authorization/issue",
    v2_path: Some("/api/auth/authorization/issue"),
    credentials: Credentials::Service,
};
pub(crate) const PUSHED_AUTH_REQ_API: Route = Route {
    operation: "pushed_auth_req_api",
    method: "POST",
    v3_path: "/api/{serviceId}/pushed_auth_req",
    v2_path: Some("/api/pushed_auth_req"),
    credentials: Credentials::Service,
};
pub(crate) const AUTH_TOKEN_API: Route = Route {
    operation: "auth_token_api",
    method: "POST",
    v3_path: "/api/{serviceId}/auth/token",
    v2_path: Some("/api/auth/token"),
    credentials: Credentials::Service,
};
pub(crate) const AUTH_TOKEN_FAIL_API: Route = Route {
    operation: "auth_token_fail_api",
    method: "POST",
    v3_path: "/api/{serviceId}/auth/token/fail",
    v2_path: Some("/api/auth/token/fail"),
    credentials: Credentials::Service,
};
pub(crate) const AUTH_TOKEN_ISSUE_API: Route = Route {
    operation: "auth_token_issue_api",
    method: "POST",
    v3_path: "/api/{serviceId}/auth/token/issue",
    v2_path: Some("/api/auth/token/issue"),
    credentials: Credentials::Service,
};
pub(crate) const AUTH_INTROSPECTION_API: Route = Route {
    operation: "auth_introspection_api",
    method: "POST",
    v3_path: "/api/{serviceId}/auth/introspection",
    v2_path: Some("/api/auth/introspection"),
    credentials: Credentials::Service,
};
pub(crate) const AUTH_INTROSPECTION_STANDARD_API: Route = Route {
    operation: "auth_introspection_standard_api",
    method: "POST",
    v3_path: "/api/{serviceId}/auth/introspection/standard",
    v2_path: Some("/api/auth/introspection/standard"),
    credentials: Credentials::Service,
};
pub(crate) const AUTH_REVOCATION_API: Route = Route {
    operation: "auth_revocation_api",
    method: "POST",
    v3_path: "/api/{serviceId}/auth/revocation",
    v2_path: Some("/api/auth/revocation"),
    credentials: Credentials::Service,
};
pub(crate) const AUTH_USERINFO_API: Route = Route {
    operation: "auth_userinfo_api",
    method: "POST",
    v3_path: "/api/{serviceId}/auth/userinfo",
    v2_path: Some("/api/auth/userinfo"),
    credentials: Credentials::Service,
};
pub(crate) const AUTH_USERINFO_ISSUE_API: Route = Route {
    operation: "auth_userinfo_issue_api",
    method: "POST",
    v3_path: "/api/{serviceId}/auth/userinfo/issue",
    v2_path: Some("/api/auth/userinfo/issue"),
    credentials: Credentials::Service,
};
pub(crate) const IDTOKEN_REISSUE_API: Route = Route {
    operation: "idtoken_reissue_api",
    method: "POST",
    v3_path: "/api/{serviceId}/idtoken/reissue",
    v2_path: Some("/api/idtoken/reissue"),
    credentials: Credentials::Service,
};
pub(crate) const GRANT_M_API: Route = Route {
    operation: "grant_m_api",
    method: "POST",
    v3_path: "/api/{serviceId}/gm",
    v2_path: Some("/api/gm"),
    credentials: Credentials::Service,
};
pub(crate) const SERVICE_JWKS_GET_API: Route = Route {
    operation: "service_jwks_get_api",
    method: "GET",
    v3_path: "/api/{serviceId}/service/jwks/get",
    v2_path: Some("/api/service/jwks/get"),
    credentials: Credentials::Service,
};
pub(crate) const SERVICE_CONFIGURATION_API: Route = Route {
    operation: "service_configuration_api",
    method: "GET",
    v3_path: "/api/{serviceId}/service/configuration",
    v2_path: Some("/api/service/configuration"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_REGISTRATION_API: Route = Route {
    operation: "client_registration_api",
    method: "POST",
    v3_path: "/api/{serviceId}/client/registration",
    v2_path: Some("/api/client/registration"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_REGISTRATION_GET_API: Route = Route {
    operation: "client_registration_get_api",
    method: "POST",
    v3_path: "/api/{serviceId}/client/registration/get",
    v2_path: Some("/api/client/registration/get"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_REGISTRATION_UPDATE_API: Route = Route {
    operation: "client_registration_update_api",
    method: "POST",
    v3_path: "/api/{serviceId}/client/registration/update",
    v2_path: Some("/api/client/registration/update"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_REGISTRATION_DELETE_API: Route = Route {
    operation: "client_registration_delete_api",
    method: "POST",
    v3_path: "/api/{serviceId}/client/registration/delete",
    v2_path: Some("/api/client/registration/delete"),
    credentials: Credentials::Service,
};
pub(crate) const BACKCHANNEL_AUTHENTICATION_API: Route = Route {
    operation: "backchannel_authentication_api",
    method: "POST",
    v3_path: "/api/{serviceId}/backchannel/authentication",
    v2_path: Some("/api/backchannel/authentication"),
    credentials: Credentials::Service,
};
pub(crate) const BACKCHANNEL_AUTHENTICATION_ISSUE_API: Route = Route {
    operation: "backchannel_authentication_issue_api",
    method: "POST",
    v3_path: "/api/{serviceId}/backchannel/authentication/issue",
    v2_path: Some("/api/backchannel/authentication/issue"),
    credentials: Credentials::Service,
};
pub(crate) const BACKCHANNEL_AUTHENTICATION_FAIL_API: Route = Route {
    operation: "backchannel_authentication_fail_api",
    method: "POST",
    v3_path: "/api/{serviceId}/backchannel/authentication/fail",
    v2_path: Some("/api/backchannel/authentication/fail"),
    credentials: Credentials::Service,
};
pub(crate) const BACKCHANNEL_AUTHENTICATION_COMPLETE_API: Route = Route {
    operation: "backchannel_authentication_complete_api",
    method: "POST",
    v3_path: "/api/{serviceId}/backchannel/authentication/complete",
    v2_path: Some("/api/backchannel/authentication/complete"),
    credentials: Credentials::Service,
};
pub(crate) const DEVICE_AUTHORIZATION_API: Route = Route {
    operation: "device_authorization_api",
    method: "POST",
    v3_path: "/api/{serviceId}/device/authorization",
    v2_path: Some("/api/device/authorization"),
    credentials: Credentials::Service,
};
pub(crate) const DEVICE_VERIFICATION_API: Route = Route {
    operation: "device_verification_api",
    method: "POST",
    v3_path: "/api/{serviceId}/device/verification",
    v2_path: Some("/api/device/verification"),
    credentials: Credentials::Service,
};
pub(crate) const DEVICE_COMPLETE_API: Route = Route {
    operation: "device_complete_api",
    method: "POST",
    v3_path: "/api/{serviceId}/device/complete",
    v2_path: Some("/api/device/complete"),
    credentials: Credentials::Service,
};
pub(crate) const AUTH_TOKEN_GET_LIST_API: Route = Route {
    operation: "auth_token_get_list_api",
    method: "GET",
    v3_path: "/api/{serviceId}/auth/token/get/list",
    v2_path: Some("/api/auth/token/get/list"),
    credentials: Credentials::Service,
};
pub(crate) const AUTH_TOKEN_CREATE_API: Route = Route {
    operation: "auth_token_create_api",
    method: "POST",
    v3_path: "/api/{serviceId}/auth/token/create",
    v2_path: Some("/api/auth/token/create"),
    credentials: Credentials::Service,
};
pub(crate) const AUTH_TOKEN_CREATE_BATCH_API: Route = Route {
    operation: "auth_token_create_batch_api",
    method: "POST",
    v3_path: "/api/{serviceId}/auth/token/create/batch",
    v2_path: None,
    credentials: Credentials::Service,
};
pub(crate) const AUTH_TOKEN_CREATE_BATCH_STATUS_API: Route = Route {
    operation: "auth_token_create_batch_status_api",
    method: "GET",
    v3_path: "/api/{serviceId}/auth/token/create/batch/status/{tokenBatchRequestId}",
    v2_path: None,
    credentials: Credentials::Service,
};
pub(crate) const AUTH_TOKEN_UPDATE_API: Route = Route {
    operation: "auth_token_update_api",
    method: "POST",
    v3_path: "/api/{serviceId}/auth/token/update",
    v2_path: Some("/api/auth/token/update"),
    credentials: Credentials::Service,
};
pub(crate) const AUTH_TOKEN_DELETE_API: Route = Route {
    operation: "auth_token_delete_api",
    method: "DELETE",
    v3_path: "/api/{serviceId}/auth/token/delete/{accessTokenIdentifier}",
    v2_path: Some("/api/auth/token/delete/{accessTokenIdentifier}"),
    credentials: Credentials::Service,
};
pub(crate) const AUTH_TOKEN_REVOKE_API: Route = Route {
    operation: "auth_token_revoke_api",
    method: "POST",
    v3_path: "/api/{serviceId}/auth/token/revoke",
    v2_path: Some("/api/auth/token/revoke"),
    credentials: Credentials::Service,
};
pub(crate) const JOSE_VERIFY_API: Route = Route {
    operation: "jose_verify_api",
    method: "POST",
    v3_path: "/api/{serviceId}/jose/verify",
    v2_path: Some("/api/jose/verify"),
    credentials: Credentials::Service,
};
pub(crate) const FEDERATION_CONFIGURATION_API: Route = Route {
    operation: "federation_configuration_api",
    method: "POST",
    v3_path: "/api/{serviceId}/federation/configuration",
    v2_path: Some("/api/federation/configuration"),
    credentials: Credentials::Service,
};
pub(crate) const FEDERATION_REGISTRATION_API: Route = Route {
    operation: "federation_registration_api",
    method: "POST",
    v3_path: "/api/{serviceId}/federation/registration",
    v2_path: Some("/api/federation/registration"),
    credentials: Credentials::Service,
};
pub(crate) const INFO_API: Route = Route {
    operation: "info_api",
    method: "GET",
    v3_path: "/api/info",
    v2_path: Some("/api/info"),
    credentials: Credentials::None,
};
pub(crate) const CLIENT_EXTENSION_REQUESTABLES_SCOPES_GET_API: Route = Route {
    operation: "client_extension_requestables_scopes_get_api",
    method: "GET",
    v3_path: "/api/{serviceId}/client/extension/requestable_scopes/get/{clientId}",
    v2_path: Some("/api/client/extension/requestable_scopes/get/{clientId}"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_EXTENSION_REQUESTABLES_SCOPES_UPDATE_API_POST: Route = Route {
    operation: "client_extension_requestables_scopes_update_api_post",
    method: "POST",
    v3_path: "/api/{serviceId}/client/extension/requestable_scopes/update/{clientId}",
    v2_path: Some("/api/client/extension/requestable_scopes/update/{clientId}"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_EXTENSION_REQUESTABLES_SCOPES_UPDATE_API: Route = Route {
    operation: "client_extension_requestables_scopes_update_api",
    method: "PUT",
    v3_path: "/api/{serviceId}/client/extension/requestable_scopes/update/{clientId}",
    v2_path: Some("/api/client/extension/requestable_scopes/update/{clientId}"),
    credentials: Credentials::Service,
};
pub(crate) const CLIENT_EXTENSION_REQUESTABLES_SCOPES_DELETE_API: Route = Route {
    operation: "client_extension_requestables_scopes_delete_api",
    method: "DELETE",
    v3_path: "/api/{serviceId}/client/extension/requestable_scopes/delete/{clientId}",
    v2_path: Some("/api/client/extension/requestable_scopes/delete/{clientId}"),
    credentials: Credentials::Service,
};
pub(crate) const HSK_CREATE_API: Route = Route {
    operation: "hsk_create_api",
    method: "POST",
    v3_path: "/api/{serviceId}/hsk/create",
    v2_path: Some("/api/hsk/create"),
    credentials: Credentials::Service,
};
pub(crate) const HSK_DELETE_API: Route = Route {
    operation: "hsk_delete_api",
    method: "DELETE",
    v3_path: "/api/{serviceId}/hsk/delete/{handle}",
    v2_path: Some("/api/hsk/delete/{handle}"),
    credentials: Credentials::Service,
};
pub(crate) const HSK_GET_API: Route = Route {
    operation: "hsk_get_api",
    method: "GET",
    v3_path: "/api/{serviceId}/hsk/get/{handle}",
    v2_path: Some("/api/hsk/get/{handle}"),
    credentials: Credentials::Service,
};
pub(crate) const HSK_GET_LIST_API: Route = Route {
    operation: "hsk_get_list_api",
    method: "GET",
    v3_path: "/api/{serviceId}/hsk/get/list",
    v2_path: Some("/api/hsk/get/list"),
    credentials: Credentials::Service,
};
pub(crate) const MISC_ECHO_API: Route = Route {
    operation: "misc_echo_api",
    method: "GET",
    v3_path: "/api/misc/echo",
    v2_path: Some("/api/misc/echo"),
    credentials: Credentials::None,
};
pub(crate) const VCI_METADATA_API: Route = Route {
    operation: "vci_metadata_api",
    method: "POST",
    v3_path: "/api/{serviceId}/vci/metadata",
    v2_path: Some("/api/vci/metadata"),
    credentials: Credentials::Service,
};
pub(crate) const VCI_JWTISSUER_API: Route = Route {
    operation: "vci_jwtissuer_api",
    method: "POST",
    v3_path: "/api/{serviceId}/vci/jwtissuer",
    v2_path: Some("/api/vci/jwtissuer"),
    credentials: Credentials::Service,
};
pub(crate) const VCI_JWKS_API: Route = Route {
    operation: "vci_jwks_api",
    method: "POST",
    v3_path: "/api/{serviceId}/vci/jwks",
    v2_path: Some("/api/vci/jwks"),
    credentials: Credentials::Service,
};
pub(crate) const VCI_OFFER_CREATE_API: Route = Route {
    operation: "vci_offer_create_api",
    method: "POST",
    v3_path: "/api/{serviceId}/vci/offer/create",
    v2_path: Some("/api/vci/offer/create"),
    credentials: Credentials::Service,
};
pub(crate) const VCI_OFFER_INFO_API: Route = Route {
    operation: "vci_offer_info_api",
    method: "POST",
    v3_path: "/api/{serviceId}/vci/offer/info",
    v2_path: Some("/api/vci/offer/info"),
    credentials: Credentials::Service,
};
pub(crate) const VCI_SINGLE_PARSE_API: Route = Route {
    operation: "vci_single_parse_api",
    method: "POST",
    v3_path: "/api/{serviceId}/vci/single/parse",
    v2_path: Some("/api/vci/single/parse"),
    credentials: Credentials::Service,
};
pub(crate) const VCI_SINGLE_ISSUE_API: Route = Route {
    operation: "vci_single_issue_api",
    method: "POST",
    v3_path: "/api/{serviceId}/vci/single/issue",
    v2_path: Some("/api/vci/single/issue"),
    credentials: Credentials::Service,
};
pub(crate) const VCI_BATCH_PARSE_API: Route = Route {
    operation: "vci_batch_parse_api",
    method: "POST",
    v3_path: "/api/{serviceId}/vci/batch/parse",
    v2_path: Some("/api/vci/batch/parse"),
    credentials: Credentials::Service,
};
pub(crate) const VCI_BATCH_ISSUE_API: Route = Route {
    operation: "vci_batch_issue_api",
    method: "POST",
    v3_path: "/api/{serviceId}/vci/batch/issue",
    v2_path: Some("/api/vci/batch/issue"),
    credentials: Credentials::Service,
};
pub(crate) const LIFECYCLE_HEALTHCHECK_API: Route = Route {
    operation: "lifecycle_healthcheck_api",
    method: "GET",
    v3_path: "/api/lifecycle/healthcheck",
    v2_path: Some("/api/lifecycle/healthcheck"),
    credentials: Credentials::None,
};
pub(crate) const VCI_DEFERRED_PARSE_API: Route = Route {
    operation: "vci_deferred_parse_api",
    method: "POST",
    v3_path: "/api/{serviceId}/vci/deferred/parse",
    v2_path: Some("/api/vci/deferred/parse"),
    credentials: Credentials::Service,
};
pub(crate) const VCI_DEFERRED_ISSUE_API: Route = Route {
    operation: "vci_deferred_issue_api",
    method: "POST",
    v3_path: "/api/{serviceId}/vci/deferred/issue",
    v2_path: Some("/api/vci/deferred/issue"),
    credentials: Credentials::Service,
};
pub(crate) const GET_AUTHORIZATION_TICKET_INFO: Route = Route {
    operation: "getAuthorizationTicketInfo",
    method: "POST",
    v3_path: "/api/{serviceId}/auth/authorization/ticket/info",
    v2_path: Some("/api/auth/authorization/ticket/info"),
    credentials: Credentials::Service,
};
pub(crate) const UPDATE_AUTHORIZATION_TICKET: Route = Route {
    operation: "updateAuthorizationTicket",
    method: "POST",
    v3_path: "/api/{serviceId}/auth/authorization/ticket/update",
    v2_path: Some("/api/auth/authorization/ticket/update"),
    credentials: Credentials::Service,
};
pub(crate) const NATIVE_SSO_API: Route = Route {
    operation: "native_sso_api",
    method: "POST",
    v3_path: "/api/{serviceId}/nativesso",
    v2_path: Some("/api/nativesso"),
    credentials: Credentials::Service,
};
pub(crate) const NATIVE_SSO_LOGOUT_API: Route = Route {
    operation: "native_sso_logout_api",
    method: "POST",
    v3_path: "/api/{serviceId}/nativesso/logout",
    v2_path: Some("/api/nativesso/logout"),
    credentials: Credentials::Service,
};

// The three operations that Authlete serves but its published spec omits. Authlete's Java
// SDK defines V2 paths for them, but Authlete 2.x servers do not serve them.
pub(crate) const VCI_NONCE_API: Route = Route {
    operation: "vci_nonce_api",
    method: "POST",
    v3_path: "/api/{serviceId}/vci/nonce",
    v2_path: Some("/api/vci/nonce"),
    credentials: Credentials::Service,
};
pub(crate) const ATTESTATION_CHALLENGE_API: Route = Route {
    operation: "attestation_challenge_api",
    method: "POST",
    v3_path: "/api/{serviceId}/attestation/challenge",
    v2_path: Some("/api/attestation/challenge"),
    credentials: Credentials::Service,
};
pub(crate) const BACKCHANNEL_LOGOUT_TOKEN_API: Route = Route {
    operation: "backchannel_logout_token_api",
    method: "POST",
    v3_path: "/api/{serviceId}/backchannel/logout/token",
    v2_path: Some("/api/backchannel/logout/token"),
    credentials: Credentials::Service,
};

/// Every route, in the order of the spec.
pub(crate) const ALL: &[&Route] = &[
    &SERVICE_GET_API,
    &SERVICE_GET_LIST_API,
    &SERVICE_CREATE_API,
    &SERVICE_UPDATE_API,
    &SERVICE_DELETE_API,
    &CLIENT_GET_API,
    &CLIENT_GET_LIST_API,
    &CLIENT_CREATE_API,
    &CLIENT_UPDATE_API,
    &CLIENT_DELETE_API,
    &CLIENT_FLAG_UPDATE_API,
    &CLIENT_SECRET_REFRESH_API,
    &CLIENT_SECRET_UPDATE_API,
    &CLIENT_AUTHORIZATION_GET_LIST_API,
    &CLIENT_AUTHORIZATION_GET_LIST_API_POST,
    &CLIENT_AUTHORIZATION_GET_LIST_BY_SUBJECT_API,
    &CLIENT_AUTHORIZATION_UPDATE_API,
    &CLIENT_AUTHORIZATION_DELETE_API,
    &CLIENT_AUTHORIZATION_DELETE_API_POST,
    &CLIENT_AUTHORIZATION_DELETE_BY_SUBJECT_API,
    &CLIENT_GRANTED_SCOPES_GET_API,
    &CLIENT_GRANTED_SCOPES_GET_API_POST,
    &CLIENT_GRANTED_SCOPES_GET_BY_SUBJECT_API,
    &CLIENT_GRANTED_SCOPES_DELETE_API,
    &CLIENT_GRANTED_SCOPES_DELETE_BY_SUBJECT_API,
    &AUTH_AUTHORIZATION_API,
    &AUTH_AUTHORIZATION_FAIL_API,
    &AUTH_AUTHORIZATION_ISSUE_API,
    &PUSHED_AUTH_REQ_API,
    &AUTH_TOKEN_API,
    &AUTH_TOKEN_FAIL_API,
    &AUTH_TOKEN_ISSUE_API,
    &AUTH_INTROSPECTION_API,
    &AUTH_INTROSPECTION_STANDARD_API,
    &AUTH_REVOCATION_API,
    &AUTH_USERINFO_API,
    &AUTH_USERINFO_ISSUE_API,
    &IDTOKEN_REISSUE_API,
    &GRANT_M_API,
    &SERVICE_JWKS_GET_API,
    &SERVICE_CONFIGURATION_API,
    &CLIENT_REGISTRATION_API,
    &CLIENT_REGISTRATION_GET_API,
    &CLIENT_REGISTRATION_UPDATE_API,
    &CLIENT_REGISTRATION_DELETE_API,
    &BACKCHANNEL_AUTHENTICATION_API,
    &BACKCHANNEL_AUTHENTICATION_ISSUE_API,
    &BACKCHANNEL_AUTHENTICATION_FAIL_API,
    &BACKCHANNEL_AUTHENTICATION_COMPLETE_API,
    &DEVICE_AUTHORIZATION_API,
    &DEVICE_VERIFICATION_API,
    &DEVICE_COMPLETE_API,
    &AUTH_TOKEN_GET_LIST_API,
    &AUTH_TOKEN_CREATE_API,
    &AUTH_TOKEN_CREATE_BATCH_API,
    &AUTH_TOKEN_CREATE_BATCH_STATUS_API,
    &AUTH_TOKEN_UPDATE_API,
    &AUTH_TOKEN_DELETE_API,
    &AUTH_TOKEN_REVOKE_API,
    &JOSE_VERIFY_API,
    &FEDERATION_CONFIGURATION_API,
    &FEDERATION_REGISTRATION_API,
    &INFO_API,
    &CLIENT_EXTENSION_REQUESTABLES_SCOPES_GET_API,
    &CLIENT_EXTENSION_REQUESTABLES_SCOPES_UPDATE_API_POST,
    &CLIENT_EXTENSION_REQUESTABLES_SCOPES_UPDATE_API,
    &CLIENT_EXTENSION_REQUESTABLES_SCOPES_DELETE_API,
    &HSK_CREATE_API,
    &HSK_DELETE_API,
    &HSK_GET_API,
    &HSK_GET_LIST_API,
    &MISC_ECHO_API,
    &VCI_METADATA_API,
    &VCI_JWTISSUER_API,
    &VCI_JWKS_API,
    &VCI_OFFER_CREATE_API,
    &VCI_OFFER_INFO_API,
    &VCI_SINGLE_PARSE_API,
    &VCI_SINGLE_ISSUE_API,
    &VCI_BATCH_PARSE_API,
    &VCI_BATCH_ISSUE_API,
    &LIFECYCLE_HEALTHCHECK_API,
    &VCI_DEFERRED_PARSE_API,
    &VCI_DEFERRED_ISSUE_API,
    &GET_AUTHORIZATION_TICKET_INFO,
    &UPDATE_AUTHORIZATION_TICKET,
    &NATIVE_SSO_API,
    &NATIVE_SSO_LOGOUT_API,
    &VCI_NONCE_API,
    &ATTESTATION_CHALLENGE_API,
    &BACKCHANNEL_LOGOUT_TOKEN_API,
];

/// The route of an operation id.
pub(crate) fn find(operation: &str) -> Option<&'static Route> {
    ALL.iter()
        .copied()
        .find(|route| route.operation == operation)
}
