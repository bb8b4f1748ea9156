//! One method per Authlete operation.

use authlete_sys::types;

use crate::Result;
use crate::client::Client;
use crate::routes;

#[cfg(doc)]
use crate::Error;

impl Client {
    /// Get a service.
    ///
    /// Fetches the configuration of the service identified by `serviceId`. When the caller's access
    /// token may only view or manage clients under this service rather than the service itself, a
    /// reduced view of the service is returned.
    ///
    /// `GET /api/{serviceId}/service/get` (`service_get_api`; `getService` in Authlete's Java SDK).
    /// In API generation 2 this calls `/api/service/get/{serviceApiKey}`.
    /// Authenticates with the service-owner credentials (an organization token in V3 when configured).
    pub async fn get_service(&self, service_id: &str) -> Result<types::Service> {
        self.send(
            &routes::SERVICE_GET_API,
            self.sys.service_get_api(service_id),
        )
        .await
    }

    /// List services.
    ///
    /// Returns the services visible to the calling access token. An admin token sees every service
    /// on the Authlete instance; a token scoped only to clients under a service receives a reduced
    /// view of that service instead of all its properties.
    ///
    /// `GET /api/service/get/list` (`service_get_list_api`; `getServiceList` in Authlete's Java SDK).
    /// Authenticates with the service-owner credentials (an organization token in V3 when configured).
    pub async fn get_service_list(
        &self,
        start: Option<i32>,
        end: Option<i32>,
    ) -> Result<types::ServiceGetListResponse> {
        self.send(
            &routes::SERVICE_GET_LIST_API,
            self.sys.service_get_list_api(end, start),
        )
        .await
    }

    /// Create a service.
    ///
    /// Registers a new service (an authorization server instance) in Authlete using the settings in
    /// the request body and returns the stored service.
    ///
    /// `POST /api/service/create` (`service_create_api`; `createService` in Authlete's Java SDK).
    /// Authenticates with the service-owner credentials (an organization token in V3 when configured).
    pub async fn create_service(&self, service: &types::Service) -> Result<types::Service> {
        self.send(
            &routes::SERVICE_CREATE_API,
            self.sys.service_create_api(service),
        )
        .await
    }

    /// Update a service.
    ///
    /// Replaces the settings of the service identified by `serviceId` with the values in the
    /// request body and returns the updated service.
    ///
    /// `POST /api/{serviceId}/service/update` (`service_update_api`; `updateService` in Authlete's Java SDK).
    /// In API generation 2 this calls `/api/service/update/{serviceApiKey}`.
    /// Authenticates with the service-owner credentials (an organization token in V3 when configured).
    pub async fn update_service(
        &self,
        service_id: &str,
        service: &types::Service,
    ) -> Result<types::Service> {
        self.send(
            &routes::SERVICE_UPDATE_API,
            self.sys.service_update_api(service_id, service),
        )
        .await
    }

    /// Delete a service.
    ///
    /// Permanently removes the service identified by `serviceId` from Authlete.
    ///
    /// `DELETE /api/{serviceId}/service/delete` (`service_delete_api`; `deleteService` in Authlete's Java SDK).
    /// In API generation 2 this calls `/api/service/delete/{serviceApiKey}`.
    /// Authenticates with the service-owner credentials (an organization token in V3 when configured).
    pub async fn delete_service(&self, service_id: &str) -> Result<()> {
        self.send_empty(
            &routes::SERVICE_DELETE_API,
            self.sys.service_delete_api(service_id),
        )
        .await
    }

    /// Get a client.
    ///
    /// Fetches the full configuration of a single client application registered under the service.
    ///
    /// `GET /api/{serviceId}/client/get/{clientId}` (`client_get_api`; `getClient` in Authlete's Java SDK).
    pub async fn get_client(&self, client_id: &str) -> Result<types::Client> {
        let service = self.service_id(&routes::CLIENT_GET_API)?;
        self.send(
            &routes::CLIENT_GET_API,
            self.sys.client_get_api(service, client_id),
        )
        .await
    }

    /// List clients.
    ///
    /// Returns a page of client applications belonging to the service. A token with full view
    /// rights on the service gets every client; otherwise only the clients that the token is
    /// allowed to view are included.
    ///
    /// `GET /api/{serviceId}/client/get/list` (`client_get_list_api`; `getClientList` in Authlete's Java SDK).
    pub async fn get_client_list(
        &self,
        developer: Option<&str>,
        start: Option<i32>,
        end: Option<i32>,
    ) -> Result<types::ClientGetListResponse> {
        let service = self.service_id(&routes::CLIENT_GET_LIST_API)?;
        self.send(
            &routes::CLIENT_GET_LIST_API,
            self.sys.client_get_list_api(service, developer, end, start),
        )
        .await
    }

    /// Create a client.
    ///
    /// Registers a new client application under the service, using the client properties given in
    /// the request body.
    ///
    /// `POST /api/{serviceId}/client/create` (`client_create_api`; `createClient` in Authlete's Java SDK).
    pub async fn create_client(&self, client: &types::Client) -> Result<types::Client> {
        let service = self.service_id(&routes::CLIENT_CREATE_API)?;
        self.send(
            &routes::CLIENT_CREATE_API,
            self.sys.client_create_api(service, client),
        )
        .await
    }

    /// Update a client.
    ///
    /// Replaces the configuration of an existing client application with the properties supplied in
    /// the request body.
    ///
    /// `POST /api/{serviceId}/client/update/{clientId}` (`client_update_api`; `updateClient` in Authlete's Java SDK).
    pub async fn update_client(
        &self,
        client_id: &str,
        client: &types::Client,
    ) -> Result<types::Client> {
        let service = self.service_id(&routes::CLIENT_UPDATE_API)?;
        self.send(
            &routes::CLIENT_UPDATE_API,
            self.sys.client_update_api(service, client_id, client),
        )
        .await
    }

    /// Delete a client.
    ///
    /// Removes the specified client application from the service.
    ///
    /// `DELETE /api/{serviceId}/client/delete/{clientId}` (`client_delete_api`; `deleteClient` in Authlete's Java SDK).
    /// In API generation 2 this authenticates with the service-owner key and secret when configured, else with the service's.
    pub async fn delete_client(&self, client_id: &str) -> Result<()> {
        let service = self.service_id(&routes::CLIENT_DELETE_API)?;
        self.send_empty(
            &routes::CLIENT_DELETE_API,
            self.sys.client_delete_api(service, client_id),
        )
        .await
    }

    /// Set client lock flag.
    ///
    /// Locks or unlocks the specified client application, according to the flag value sent in the
    /// request body.
    ///
    /// `POST /api/{serviceId}/client/lock_flag/update/{clientIdentifier}` (`client_flag_update_api`; `updateClientLockFlag` in Authlete's Java SDK).
    pub async fn update_client_lock_flag(
        &self,
        client_identifier: &str,
        request: &types::ClientFlagUpdateRequest,
    ) -> Result<types::ClientFlagUpdateResponse> {
        let service = self.service_id(&routes::CLIENT_FLAG_UPDATE_API)?;
        self.send(
            &routes::CLIENT_FLAG_UPDATE_API,
            self.sys
                .client_flag_update_api(service, client_identifier, request),
        )
        .await
    }

    /// Rotate a client secret.
    ///
    /// Replaces the secret of a client application with a fresh value generated by Authlete. To set
    /// a secret of your own choosing, use the `/api/client/secret/update` operation instead.
    ///
    /// `GET /api/{serviceId}/client/secret/refresh/{clientIdentifier}` (`client_secret_refresh_api`; `refreshClientSecret` in Authlete's Java SDK).
    pub async fn refresh_client_secret(
        &self,
        client_identifier: &str,
    ) -> Result<types::ClientSecretRefreshResponse> {
        let service = self.service_id(&routes::CLIENT_SECRET_REFRESH_API)?;
        self.send(
            &routes::CLIENT_SECRET_REFRESH_API,
            self.sys
                .client_secret_refresh_api(service, client_identifier),
        )
        .await
    }

    /// Update a client secret.
    ///
    /// Sets the client secret of a client to a value that you supply in the request body. To let
    /// Authlete generate a fresh random secret instead, use the client secret refresh operation.
    ///
    /// `POST /api/{serviceId}/client/secret/update/{clientIdentifier}` (`client_secret_update_api`; `updateClientSecret` in Authlete's Java SDK).
    pub async fn update_client_secret(
        &self,
        client_identifier: &str,
        request: &types::ClientSecretUpdateRequest,
    ) -> Result<types::ClientSecretUpdateResponse> {
        let service = self.service_id(&routes::CLIENT_SECRET_UPDATE_API)?;
        self.send(
            &routes::CLIENT_SECRET_UPDATE_API,
            self.sys
                .client_secret_update_api(service, client_identifier, request),
        )
        .await
    }

    /// List authorized clients.
    ///
    /// Returns the client applications to which a given end-user has granted authorization. The
    /// end-user is selected by the mandatory `subject` query parameter.
    ///
    /// `GET /api/{serviceId}/client/authorization/get/list` (`client_authorization_get_list_api`).
    /// In API generation 2 this calls `/api/client/authorization/get/list`.
    pub async fn get_client_authorization_list_by_query(
        &self,
        subject: &str,
        developer: Option<&str>,
        start: Option<i32>,
        end: Option<i32>,
    ) -> Result<types::ClientAuthorizationGetListResponse> {
        let service = self.service_id(&routes::CLIENT_AUTHORIZATION_GET_LIST_API)?;
        self.send(
            &routes::CLIENT_AUTHORIZATION_GET_LIST_API,
            self.sys
                .client_authorization_get_list_api(service, developer, end, start, subject),
        )
        .await
    }

    /// List authorized applications.
    ///
    /// Returns the client applications to which a given end-user has granted authorization. The
    /// end-user is identified by the `subject` field of the request body, which is mandatory.
    ///
    /// `POST /api/{serviceId}/client/authorization/get/list` (`client_authorization_get_list_api_post`; `getClientAuthorizationList` in Authlete's Java SDK).
    pub async fn get_client_authorization_list(
        &self,
        request: &types::ClientAuthorizationGetListRequest,
    ) -> Result<types::ClientAuthorizationGetListResponse> {
        let service = self.service_id(&routes::CLIENT_AUTHORIZATION_GET_LIST_API_POST)?;
        self.send(
            &routes::CLIENT_AUTHORIZATION_GET_LIST_API_POST,
            self.sys
                .client_authorization_get_list_api_post(service, request),
        )
        .await
    }

    /// List authorized applications by subject.
    ///
    /// Returns the client applications to which a given end-user has granted authorization. This
    /// variant takes the end-user's subject as a path segment instead of a request body.
    ///
    /// `GET /api/{serviceId}/client/authorization/get/list/{subject}` (`client_authorization_get_list_by_subject_api`).
    /// In API generation 2 this calls `/api/client/authorization/get/list/{subject}`.
    pub async fn get_client_authorization_list_by_subject(
        &self,
        subject: &str,
        developer: Option<&str>,
        start: Option<i32>,
        end: Option<i32>,
    ) -> Result<types::ClientAuthorizationGetListResponse> {
        let service = self.service_id(&routes::CLIENT_AUTHORIZATION_GET_LIST_BY_SUBJECT_API)?;
        self.send(
            &routes::CLIENT_AUTHORIZATION_GET_LIST_BY_SUBJECT_API,
            self.sys.client_authorization_get_list_by_subject_api(
                service, subject, developer, end, start,
            ),
        )
        .await
    }

    /// Update client tokens.
    ///
    /// Modifies attributes of every access token currently held by the specified client
    /// application.
    ///
    /// `POST /api/{serviceId}/client/authorization/update/{clientId}` (`client_authorization_update_api`; `updateClientAuthorization` in Authlete's Java SDK).
    pub async fn update_client_authorization(
        &self,
        client_id: &str,
        request: &types::ClientAuthorizationUpdateRequest,
    ) -> Result<types::ClientAuthorizationUpdateResponse> {
        let service = self.service_id(&routes::CLIENT_AUTHORIZATION_UPDATE_API)?;
        self.send(
            &routes::CLIENT_AUTHORIZATION_UPDATE_API,
            self.sys
                .client_authorization_update_api(service, client_id, request),
        )
        .await
    }

    /// Delete client tokens.
    ///
    /// Revokes all access tokens that a client application obtained through a given end-user's
    /// authorization. The end-user must be passed in the `subject` query parameter.
    ///
    /// `DELETE /api/{serviceId}/client/authorization/delete/{clientId}` (`client_authorization_delete_api`).
    /// In API generation 2 this calls `/api/client/authorization/delete/{clientId}`.
    pub async fn delete_client_authorization_by_query(
        &self,
        client_id: &str,
        subject: &str,
    ) -> Result<types::ClientAuthorizationDeleteResponse> {
        let service = self.service_id(&routes::CLIENT_AUTHORIZATION_DELETE_API)?;
        self.send(
            &routes::CLIENT_AUTHORIZATION_DELETE_API,
            self.sys
                .client_authorization_delete_api(service, client_id, subject),
        )
        .await
    }

    /// Delete client tokens for a user.
    ///
    /// Removes every access token that was issued to the given client on behalf of one end-user,
    /// effectively revoking that user's authorization. The `subject` field of the request body is
    /// mandatory.
    ///
    /// `POST /api/{serviceId}/client/authorization/delete/{clientId}` (`client_authorization_delete_api_post`; `deleteClientAuthorization` in Authlete's Java SDK).
    pub async fn delete_client_authorization(
        &self,
        client_id: &str,
        request: &types::ClientAuthorizationDeleteRequest,
    ) -> Result<types::ClientAuthorizationDeleteResponse> {
        let service = self.service_id(&routes::CLIENT_AUTHORIZATION_DELETE_API_POST)?;
        self.send(
            &routes::CLIENT_AUTHORIZATION_DELETE_API_POST,
            self.sys
                .client_authorization_delete_api_post(service, client_id, request),
        )
        .await
    }

    /// Delete client tokens by subject.
    ///
    /// Revokes all access tokens that a client application obtained through a given end-user's
    /// authorization. Unlike the query-parameter variant, the end-user's subject is part of the
    /// path.
    ///
    /// `DELETE /api/{serviceId}/client/authorization/delete/{clientId}/{subject}` (`client_authorization_delete_by_subject_api`).
    /// In API generation 2 this calls `/api/client/authorization/delete/{clientId}/{subject}`.
    pub async fn delete_client_authorization_by_subject(
        &self,
        client_id: &str,
        subject: &str,
    ) -> Result<types::ClientAuthorizationDeleteResponse> {
        let service = self.service_id(&routes::CLIENT_AUTHORIZATION_DELETE_BY_SUBJECT_API)?;
        self.send(
            &routes::CLIENT_AUTHORIZATION_DELETE_BY_SUBJECT_API,
            self.sys
                .client_authorization_delete_by_subject_api(service, client_id, subject),
        )
        .await
    }

    /// Get granted scopes.
    ///
    /// Returns the scopes an end-user has granted to a client; the `subject` query parameter is
    /// required. In the response, a null `requestableScopes` means no grant record exists, an empty
    /// set means a grant without scopes, and a non-empty set lists the scopes granted.
    ///
    /// `GET /api/{serviceId}/client/granted_scopes/get/{clientId}` (`client_granted_scopes_get_api`).
    /// In API generation 2 this calls `/api/client/granted_scopes/get/{clientId}`.
    pub async fn get_granted_scopes_by_query(
        &self,
        client_id: &str,
        subject: &str,
    ) -> Result<types::ClientAuthorizationDeleteResponse> {
        let service = self.service_id(&routes::CLIENT_GRANTED_SCOPES_GET_API)?;
        self.send(
            &routes::CLIENT_GRANTED_SCOPES_GET_API,
            self.sys
                .client_granted_scopes_get_api(service, client_id, subject),
        )
        .await
    }

    /// Get granted scopes.
    ///
    /// Returns the scopes that a given end-user has granted to a client application. The end-user
    /// must be identified by `subject`.
    ///
    /// `POST /api/{serviceId}/client/granted_scopes/get/{clientId}` (`client_granted_scopes_get_api_post`; `getGrantedScopes` in Authlete's Java SDK).
    pub async fn get_granted_scopes(
        &self,
        client_id: &str,
        request: &types::ClientGrantedScopesGetRequest,
    ) -> Result<types::ClientAuthorizationDeleteResponse> {
        let service = self.service_id(&routes::CLIENT_GRANTED_SCOPES_GET_API_POST)?;
        self.send(
            &routes::CLIENT_GRANTED_SCOPES_GET_API_POST,
            self.sys
                .client_granted_scopes_get_api_post(service, client_id, request),
        )
        .await
    }

    /// Get granted scopes by subject.
    ///
    /// Returns the scopes that a given end-user has granted to a client application. In this
    /// variant the end-user's subject is passed as a path segment.
    ///
    /// `GET /api/{serviceId}/client/granted_scopes/get/{clientId}/{subject}` (`client_granted_scopes_get_by_subject_api`).
    /// In API generation 2 this calls `/api/client/granted_scopes/get/{clientId}/{subject}`.
    pub async fn get_granted_scopes_by_subject(
        &self,
        client_id: &str,
        subject: &str,
    ) -> Result<types::ClientAuthorizationDeleteResponse> {
        let service = self.service_id(&routes::CLIENT_GRANTED_SCOPES_GET_BY_SUBJECT_API)?;
        self.send(
            &routes::CLIENT_GRANTED_SCOPES_GET_BY_SUBJECT_API,
            self.sys
                .client_granted_scopes_get_by_subject_api(service, client_id, subject),
        )
        .await
    }

    /// Delete granted scopes.
    ///
    /// Erases the record of scopes a given end-user (the required `subject` query parameter) has
    /// granted to a client application. Tokens already issued are neither revoked nor have their
    /// scopes altered.
    ///
    /// `DELETE /api/{serviceId}/client/granted_scopes/delete/{clientId}` (`client_granted_scopes_delete_api`; `deleteGrantedScopes` in Authlete's Java SDK).
    pub async fn delete_granted_scopes(
        &self,
        client_id: &str,
        subject: &str,
    ) -> Result<types::ClientGrantedScopesDeleteResponse> {
        let service = self.service_id(&routes::CLIENT_GRANTED_SCOPES_DELETE_API)?;
        self.send(
            &routes::CLIENT_GRANTED_SCOPES_DELETE_API,
            self.sys
                .client_granted_scopes_delete_api(service, client_id, subject),
        )
        .await
    }

    /// Delete granted scopes by subject.
    ///
    /// Erases the record of scopes a given end-user has granted to a client application, with the
    /// subject supplied as a path segment. Existing tokens are left untouched.
    ///
    /// `DELETE /api/{serviceId}/client/granted_scopes/delete/{clientId}/{subject}` (`client_granted_scopes_delete_by_subject_api`).
    /// In API generation 2 this calls `/api/client/granted_scopes/delete/{clientId}/{subject}`.
    pub async fn delete_granted_scopes_by_subject(
        &self,
        client_id: &str,
        subject: &str,
    ) -> Result<types::ClientGrantedScopesDeleteResponse> {
        let service = self.service_id(&routes::CLIENT_GRANTED_SCOPES_DELETE_BY_SUBJECT_API)?;
        self.send(
            &routes::CLIENT_GRANTED_SCOPES_DELETE_BY_SUBJECT_API,
            self.sys
                .client_granted_scopes_delete_by_subject_api(service, client_id, subject),
        )
        .await
    }

    /// Process an authorization request.
    ///
    /// Called by your authorization endpoint with the raw query string (GET) or form body (POST) of
    /// an incoming authorization request; Authlete parses and validates it. The response's `action`
    /// tells you what to do next, e.g. show a consent screen on `INTERACTION`, skip it on
    /// `NO_INTERACTION`, or return an error to the client, and carries a `ticket` for the follow-up
    /// issue or fail call.
    ///
    /// `POST /api/{serviceId}/auth/authorization` (`auth_authorization_api`; `authorization` in Authlete's Java SDK).
    pub async fn authorization(
        &self,
        request: &types::AuthorizationRequest,
    ) -> Result<types::AuthorizationResponse> {
        let service = self.service_id(&routes::AUTH_AUTHORIZATION_API)?;
        self.send(
            &routes::AUTH_AUTHORIZATION_API,
            self.sys.auth_authorization_api(service, request),
        )
        .await
    }

    /// Fail an authorization request.
    ///
    /// Builds the error response your authorization endpoint should send to the client when an
    /// authorization request cannot succeed, e.g. login failed or consent was denied. Check
    /// `action` (`INTERNAL_SERVER_ERROR`, `BAD_REQUEST`, `LOCATION` or `FORM`) to decide how to
    /// deliver `responseContent`.
    ///
    /// `POST /api/{serviceId}/auth/authorization/fail` (`auth_authorization_fail_api`; `authorizationFail` in Authlete's Java SDK).
    pub async fn authorization_fail(
        &self,
        request: &types::AuthorizationFailRequest,
    ) -> Result<types::AuthorizationFailResponse> {
        let service = self.service_id(&routes::AUTH_AUTHORIZATION_FAIL_API)?;
        self.send(
            &routes::AUTH_AUTHORIZATION_FAIL_API,
            self.sys.auth_authorization_fail_api(service, request),
        )
        .await
    }

    /// Issue an authorization response.
    ///
    /// Called by your authorization endpoint after the end-user has authenticated and consented, to
    /// build the successful response (code, tokens) for the client. The returned `action`
    /// (`LOCATION`, `FORM`, `BAD_REQUEST`, `INTERNAL_SERVER_ERROR`) says how to deliver
    /// `responseContent`.
    ///
    /// `POST /api/{serviceId}/auth/authorization/issue` (`auth_authorization_issue_api`; `authorizationIssue` in Authlete's Java SDK).
    pub async fn authorization_issue(
        &self,
        request: &types::AuthorizationIssueRequest,
    ) -> Result<types::AuthorizationIssueResponse> {
        let service = self.service_id(&routes::AUTH_AUTHORIZATION_ISSUE_API)?;
        self.send(
            &routes::AUTH_AUTHORIZATION_ISSUE_API,
            self.sys.auth_authorization_issue_api(service, request),
        )
        .await
    }

    /// Process a pushed authorization request.
    ///
    /// Handles a pushed authorization request (PAR) received by your PAR endpoint: authenticates
    /// the client, stores the request and yields a `request_uri` that the client later sends to the
    /// authorization endpoint. Relay `responseContent` according to `action`.
    ///
    /// `POST /api/{serviceId}/pushed_auth_req` (`pushed_auth_req_api`; `pushAuthorizationRequest` in Authlete's Java SDK).
    pub async fn push_authorization_request(
        &self,
        request: &types::PushedAuthorizationRequest,
    ) -> Result<types::PushedAuthorizationResponse> {
        let service = self.service_id(&routes::PUSHED_AUTH_REQ_API)?;
        self.send(
            &routes::PUSHED_AUTH_REQ_API,
            self.sys.pushed_auth_req_api(service, request),
        )
        .await
    }

    /// Process a token request.
    ///
    /// Call this from your token endpoint, passing the form-encoded request body and any Basic-auth
    /// client credentials. Authlete validates the grant and usually issues tokens; the response's
    /// `action` (e.g. `OK`, `BAD_REQUEST`, `INVALID_CLIENT`, `PASSWORD`) tells you what to do next
    /// and `responseContent` supplies the body to return.
    ///
    /// `POST /api/{serviceId}/auth/token` (`auth_token_api`; `token` in Authlete's Java SDK).
    pub async fn token(&self, request: &types::TokenRequest) -> Result<types::TokenResponse> {
        let service = self.service_id(&routes::AUTH_TOKEN_API)?;
        self.send(
            &routes::AUTH_TOKEN_API,
            self.sys.auth_token_api(service, request),
        )
        .await
    }

    /// Fail a token request.
    ///
    /// Builds an error token response, typically used when the token endpoint cannot validate
    /// resource owner credentials in the password flow. The returned `action` (`BAD_REQUEST` or
    /// `INTERNAL_SERVER_ERROR`) and `responseContent` describe what to send back to the client.
    ///
    /// `POST /api/{serviceId}/auth/token/fail` (`auth_token_fail_api`; `tokenFail` in Authlete's Java SDK).
    pub async fn token_fail(
        &self,
        request: &types::TokenFailRequest,
    ) -> Result<types::TokenFailResponse> {
        let service = self.service_id(&routes::AUTH_TOKEN_FAIL_API)?;
        self.send(
            &routes::AUTH_TOKEN_FAIL_API,
            self.sys.auth_token_fail_api(service, request),
        )
        .await
    }

    /// Issue a token response.
    ///
    /// Called from your token endpoint, typically after `/auth/token` returned `action=PASSWORD`
    /// and you verified the user's credentials, to have Authlete mint the tokens. Pass the ticket
    /// and subject; the response's `action` (e.g. `OK`) and `responseContent` give the HTTP status
    /// and JSON body to send back to the client.
    ///
    /// `POST /api/{serviceId}/auth/token/issue` (`auth_token_issue_api`; `tokenIssue` in Authlete's Java SDK).
    pub async fn token_issue(
        &self,
        request: &types::TokenIssueRequest,
    ) -> Result<types::TokenIssueResponse> {
        let service = self.service_id(&routes::AUTH_TOKEN_ISSUE_API)?;
        self.send(
            &routes::AUTH_TOKEN_ISSUE_API,
            self.sys.auth_token_issue_api(service, request),
        )
        .await
    }

    /// Introspect an access token.
    ///
    /// Used by protected resource endpoints to look up an access token presented by a client,
    /// optionally checking required scopes and subject. The response's `action` (`OK`,
    /// `BAD_REQUEST`, `UNAUTHORIZED`, `FORBIDDEN`, `INTERNAL_SERVER_ERROR`) indicates whether to
    /// serve the resource or which error to return.
    ///
    /// `POST /api/{serviceId}/auth/introspection` (`auth_introspection_api`; `introspection` in Authlete's Java SDK).
    pub async fn introspection(
        &self,
        request: &types::IntrospectionRequest,
    ) -> Result<types::IntrospectionResponse> {
        let service = self.service_id(&routes::AUTH_INTROSPECTION_API)?;
        self.send(
            &routes::AUTH_INTROSPECTION_API,
            self.sys.auth_introspection_api(service, request),
        )
        .await
    }

    /// Process an RFC 7662 introspection request.
    ///
    /// Lets your authorization server expose a token introspection endpoint compliant with RFC
    /// 7662. Forward the request parameters received from the resource server; the response's
    /// `action` indicates the HTTP status to use and `responseContent` holds the body to return to
    /// the caller.
    ///
    /// `POST /api/{serviceId}/auth/introspection/standard` (`auth_introspection_standard_api`; `standardIntrospection` in Authlete's Java SDK).
    pub async fn standard_introspection(
        &self,
        request: &types::StandardIntrospectionRequest,
    ) -> Result<types::StandardIntrospectionResponse> {
        let service = self.service_id(&routes::AUTH_INTROSPECTION_STANDARD_API)?;
        self.send(
            &routes::AUTH_INTROSPECTION_STANDARD_API,
            self.sys.auth_introspection_standard_api(service, request),
        )
        .await
    }

    /// Process a revocation request.
    ///
    /// Called from your RFC 7009 revocation endpoint with the client's request parameters and
    /// credentials, so that Authlete revokes the given access or refresh token. Inspect `action` in
    /// the response (e.g. `OK`, `BAD_REQUEST`, `INVALID_CLIENT`) to choose the HTTP status and use
    /// `responseContent` as the body.
    ///
    /// `POST /api/{serviceId}/auth/revocation` (`auth_revocation_api`; `revocation` in Authlete's Java SDK).
    pub async fn revocation(
        &self,
        request: &types::RevocationRequest,
    ) -> Result<types::RevocationResponse> {
        let service = self.service_id(&routes::AUTH_REVOCATION_API)?;
        self.send(
            &routes::AUTH_REVOCATION_API,
            self.sys.auth_revocation_api(service, request),
        )
        .await
    }

    /// Process a UserInfo request.
    ///
    /// Call from your OpenID Connect UserInfo endpoint to validate the presented access token and
    /// learn which user and claims it covers. Check `action`: on `OK`, gather the claims and pass
    /// them to `/auth/userinfo/issue`; other values give the error response to return.
    ///
    /// `POST /api/{serviceId}/auth/userinfo` (`auth_userinfo_api`; `userinfo` in Authlete's Java SDK).
    pub async fn userinfo(
        &self,
        request: &types::UserinfoRequest,
    ) -> Result<types::UserinfoResponse> {
        let service = self.service_id(&routes::AUTH_USERINFO_API)?;
        self.send(
            &routes::AUTH_USERINFO_API,
            self.sys.auth_userinfo_api(service, request),
        )
        .await
    }

    /// Issue a userinfo response.
    ///
    /// Called from your UserInfo endpoint after a successful `/auth/userinfo` call: send the access
    /// token together with the claim values of the user, and Authlete builds the userinfo payload,
    /// as JSON or a signed JWT. The response's `action` and `responseContent` describe what to
    /// return to the client.
    ///
    /// `POST /api/{serviceId}/auth/userinfo/issue` (`auth_userinfo_issue_api`; `userinfoIssue` in Authlete's Java SDK).
    pub async fn userinfo_issue(
        &self,
        request: &types::UserinfoIssueRequest,
    ) -> Result<types::UserinfoIssueResponse> {
        let service = self.service_id(&routes::AUTH_USERINFO_ISSUE_API)?;
        self.send(
            &routes::AUTH_USERINFO_ISSUE_API,
            self.sys.auth_userinfo_issue_api(service, request),
        )
        .await
    }

    /// Reissue an ID token.
    ///
    /// Generates a token response containing a fresh ID token plus new access and refresh tokens.
    /// Only call this when the `/auth/token` response's `action` is `ID_TOKEN_REISSUABLE`, i.e.
    /// during a refresh token grant.
    ///
    /// `POST /api/{serviceId}/idtoken/reissue` (`idtoken_reissue_api`; `idTokenReissue` in Authlete's Java SDK).
    pub async fn id_token_reissue(
        &self,
        request: &types::IdTokenReissueRequest,
    ) -> Result<types::IdTokenReissueResponse> {
        let service = self.service_id(&routes::IDTOKEN_REISSUE_API)?;
        self.send(
            &routes::IDTOKEN_REISSUE_API,
            self.sys.idtoken_reissue_api(service, request),
        )
        .await
    }

    /// Process a grant management request.
    ///
    /// Backs the implementation of a grant management endpoint as specified by Grant Management for
    /// OAuth 2.0, letting clients query or revoke grants.
    ///
    /// `POST /api/{serviceId}/gm` (`grant_m_api`; `gm` in Authlete's Java SDK).
    pub async fn grant_management(
        &self,
        request: &types::GrantManagementRequest,
    ) -> Result<types::GrantManagementResponse> {
        let service = self.service_id(&routes::GRANT_M_API)?;
        self.send(&routes::GRANT_M_API, self.sys.grant_m_api(service, request))
            .await
    }

    /// Get the service JWK set.
    ///
    /// Returns the service's JSON Web Key Set, which your `jwks_uri` endpoint publishes so clients
    /// can verify the service's signatures and encrypt requests sent to it.
    ///
    /// `GET /api/{serviceId}/service/jwks/get` (`service_jwks_get_api`; `getServiceJwks` in Authlete's Java SDK).
    pub async fn get_service_jwks(
        &self,
        include_private_keys: Option<bool>,
        pretty: Option<bool>,
    ) -> Result<types::ServiceJwksGetResponse> {
        let service = self.service_id(&routes::SERVICE_JWKS_GET_API)?;
        self.send_jwks(
            &routes::SERVICE_JWKS_GET_API,
            self.sys
                .service_jwks_get_api(service, include_private_keys, pretty),
        )
        .await
    }

    /// Get service discovery metadata.
    ///
    /// Produces the OpenID Provider metadata JSON for the service, intended to be served as-is by
    /// your discovery endpoint (the well-known openid-configuration document) per OpenID Connect
    /// Discovery 1.0.
    ///
    /// `GET /api/{serviceId}/service/configuration` (`service_configuration_api`; `getServiceConfiguration` in Authlete's Java SDK).
    pub async fn get_service_configuration(
        &self,
        pretty: Option<bool>,
        patch: Option<&str>,
    ) -> Result<serde_json::Map<String, serde_json::Value>> {
        let service = self.service_id(&routes::SERVICE_CONFIGURATION_API)?;
        self.send(
            &routes::SERVICE_CONFIGURATION_API,
            self.sys.service_configuration_api(service, patch, pretty),
        )
        .await
    }

    /// Register a client.
    ///
    /// Backs a dynamic client registration endpoint as defined by RFC 7591 and OpenID Connect
    /// Dynamic Client Registration. Pass the JSON metadata sent by the client; on `CREATED`
    /// Authlete has stored the new client, and `responseContent` holds the body to return to the
    /// caller.
    ///
    /// `POST /api/{serviceId}/client/registration` (`client_registration_api`; `dynamicClientRegister` in Authlete's Java SDK).
    pub async fn dynamic_client_register(
        &self,
        request: &types::ClientRegistrationRequest,
    ) -> Result<types::ClientRegistrationResponse> {
        let service = self.service_id(&routes::CLIENT_REGISTRATION_API)?;
        self.send(
            &routes::CLIENT_REGISTRATION_API,
            self.sys.client_registration_api(service, request),
        )
        .await
    }

    /// Read a dynamic client.
    ///
    /// Fetches a dynamically registered client for your RFC 7592 client configuration endpoint,
    /// validating the registration access token. The response's `action` (`OK`, `BAD_REQUEST`,
    /// `UNAUTHORIZED`, `INTERNAL_SERVER_ERROR`) and `responseContent` tell you what to return.
    ///
    /// `POST /api/{serviceId}/client/registration/get` (`client_registration_get_api`; `dynamicClientGet` in Authlete's Java SDK).
    pub async fn dynamic_client_get(
        &self,
        request: &types::ClientRegistrationRequest,
    ) -> Result<types::ClientRegistrationResponse> {
        let service = self.service_id(&routes::CLIENT_REGISTRATION_GET_API)?;
        self.send(
            &routes::CLIENT_REGISTRATION_GET_API,
            self.sys.client_registration_get_api(service, request),
        )
        .await
    }

    /// Update a registered client.
    ///
    /// Backs the update part of an RFC 7592 client configuration endpoint for dynamically
    /// registered clients. Pass the client ID, the registration access token and the new metadata;
    /// the response's `action` (e.g. `UPDATED`) and `responseContent` tell what to send back to the
    /// client.
    ///
    /// `POST /api/{serviceId}/client/registration/update` (`client_registration_update_api`; `dynamicClientUpdate` in Authlete's Java SDK).
    pub async fn dynamic_client_update(
        &self,
        request: &types::ClientRegistrationRequest,
    ) -> Result<types::ClientRegistrationResponse> {
        let service = self.service_id(&routes::CLIENT_REGISTRATION_UPDATE_API)?;
        self.send(
            &routes::CLIENT_REGISTRATION_UPDATE_API,
            self.sys.client_registration_update_api(service, request),
        )
        .await
    }

    /// Delete a dynamic client.
    ///
    /// Removes a dynamically registered client on behalf of your RFC 7592 client configuration
    /// endpoint. On success `action` is `DELETED` and you should reply 204 No Content; otherwise
    /// `action` names the error and `responseContent` holds the body.
    ///
    /// `POST /api/{serviceId}/client/registration/delete` (`client_registration_delete_api`; `dynamicClientDelete` in Authlete's Java SDK).
    pub async fn dynamic_client_delete(
        &self,
        request: &types::ClientRegistrationRequest,
    ) -> Result<types::ClientRegistrationResponse> {
        let service = self.service_id(&routes::CLIENT_REGISTRATION_DELETE_API)?;
        self.send(
            &routes::CLIENT_REGISTRATION_DELETE_API,
            self.sys.client_registration_delete_api(service, request),
        )
        .await
    }

    /// Process a backchannel authentication request.
    ///
    /// Called from your CIBA backchannel authentication endpoint with the form-encoded request body
    /// and client credentials; Authlete parses and validates it. On `USER_IDENTIFICATION` you
    /// resolve the end-user from the hint and then call the issue or fail API with the returned
    /// `ticket`; other actions indicate an error to return to the client.
    ///
    /// `POST /api/{serviceId}/backchannel/authentication` (`backchannel_authentication_api`; `backchannelAuthentication` in Authlete's Java SDK).
    pub async fn backchannel_authentication(
        &self,
        request: &types::BackchannelAuthenticationRequest,
    ) -> Result<types::BackchannelAuthenticationResponse> {
        let service = self.service_id(&routes::BACKCHANNEL_AUTHENTICATION_API)?;
        self.send(
            &routes::BACKCHANNEL_AUTHENTICATION_API,
            self.sys.backchannel_authentication_api(service, request),
        )
        .await
    }

    /// Issue a CIBA response.
    ///
    /// Called by your CIBA backchannel authentication endpoint, after the end-user is identified,
    /// to produce the success JSON carrying `auth_req_id`. Check `action`: `OK` means return
    /// `responseContent` with 200; `INVALID_TICKET` or `INTERNAL_SERVER_ERROR` signal a server-side
    /// failure.
    ///
    /// `POST /api/{serviceId}/backchannel/authentication/issue` (`backchannel_authentication_issue_api`; `backchannelAuthenticationIssue` in Authlete's Java SDK).
    pub async fn backchannel_authentication_issue(
        &self,
        request: &types::BackchannelAuthenticationIssueRequest,
    ) -> Result<types::BackchannelAuthenticationIssueResponse> {
        let service = self.service_id(&routes::BACKCHANNEL_AUTHENTICATION_ISSUE_API)?;
        self.send(
            &routes::BACKCHANNEL_AUTHENTICATION_ISSUE_API,
            self.sys
                .backchannel_authentication_issue_api(service, request),
        )
        .await
    }

    /// Fail a CIBA request.
    ///
    /// Builds the error JSON your CIBA backchannel authentication endpoint returns when it rejects
    /// a request, with the cause given in `reason`. The response's `action` (`BAD_REQUEST`,
    /// `FORBIDDEN`, `INTERNAL_SERVER_ERROR`) selects the HTTP status to use.
    ///
    /// `POST /api/{serviceId}/backchannel/authentication/fail` (`backchannel_authentication_fail_api`; `backchannelAuthenticationFail` in Authlete's Java SDK).
    pub async fn backchannel_authentication_fail(
        &self,
        request: &types::BackchannelAuthenticationFailRequest,
    ) -> Result<types::BackchannelAuthenticationFailResponse> {
        let service = self.service_id(&routes::BACKCHANNEL_AUTHENTICATION_FAIL_API)?;
        self.send(
            &routes::BACKCHANNEL_AUTHENTICATION_FAIL_API,
            self.sys
                .backchannel_authentication_fail_api(service, request),
        )
        .await
    }

    /// Complete a CIBA request.
    ///
    /// Reports the outcome of end-user authentication and consent on the authentication device
    /// (`result` such as `AUTHORIZED`). Depending on delivery mode, Authlete may issue tokens;
    /// `action` (`NOTIFICATION`, `NO_ACTION`, `SERVER_ERROR`) says whether to notify the client.
    ///
    /// `POST /api/{serviceId}/backchannel/authentication/complete` (`backchannel_authentication_complete_api`; `backchannelAuthenticationComplete` in Authlete's Java SDK).
    pub async fn backchannel_authentication_complete(
        &self,
        request: &types::BackchannelAuthenticationCompleteRequest,
    ) -> Result<types::BackchannelAuthenticationCompleteResponse> {
        let service = self.service_id(&routes::BACKCHANNEL_AUTHENTICATION_COMPLETE_API)?;
        self.send(
            &routes::BACKCHANNEL_AUTHENTICATION_COMPLETE_API,
            self.sys
                .backchannel_authentication_complete_api(service, request),
        )
        .await
    }

    /// Process a device authorization request.
    ///
    /// Call from your RFC 8628 device authorization endpoint to parse the request, authenticate the
    /// client and obtain a device code and user code. The response's `action` (`OK`, `BAD_REQUEST`,
    /// `UNAUTHORIZED`, `INTERNAL_SERVER_ERROR`) and `responseContent` form your reply.
    ///
    /// `POST /api/{serviceId}/device/authorization` (`device_authorization_api`; `deviceAuthorization` in Authlete's Java SDK).
    pub async fn device_authorization(
        &self,
        request: &types::DeviceAuthorizationRequest,
    ) -> Result<types::DeviceAuthorizationResponse> {
        let service = self.service_id(&routes::DEVICE_AUTHORIZATION_API)?;
        self.send(
            &routes::DEVICE_AUTHORIZATION_API,
            self.sys.device_authorization_api(service, request),
        )
        .await
    }

    /// Process a device verification request.
    ///
    /// Called from the verification endpoint of the device flow after the end-user enters a user
    /// code, to fetch the information bound to that code. The response's `action` is `VALID`,
    /// `EXPIRED`, `NOT_EXIST` or `SERVER_ERROR`, and only a valid code should lead to
    /// authenticating the user and asking for consent.
    ///
    /// `POST /api/{serviceId}/device/verification` (`device_verification_api`; `deviceVerification` in Authlete's Java SDK).
    pub async fn device_verification(
        &self,
        request: &types::DeviceVerificationRequest,
    ) -> Result<types::DeviceVerificationResponse> {
        let service = self.service_id(&routes::DEVICE_VERIFICATION_API)?;
        self.send(
            &routes::DEVICE_VERIFICATION_API,
            self.sys.device_verification_api(service, request),
        )
        .await
    }

    /// Complete device authorization.
    ///
    /// Reports the end-user's approval or denial from your verification endpoint in the device
    /// flow; with `result=AUTHORIZED` the `subject` is required so `/auth/token` can later issue
    /// tokens. The response's `action` (e.g. `SUCCESS`, `USER_CODE_EXPIRED`) tells you what to show
    /// the user.
    ///
    /// `POST /api/{serviceId}/device/complete` (`device_complete_api`; `deviceComplete` in Authlete's Java SDK).
    pub async fn device_complete(
        &self,
        request: &types::DeviceCompleteRequest,
    ) -> Result<types::DeviceCompleteResponse> {
        let service = self.service_id(&routes::DEVICE_COMPLETE_API)?;
        self.send(
            &routes::DEVICE_COMPLETE_API,
            self.sys.device_complete_api(service, request),
        )
        .await
    }

    /// List issued tokens.
    ///
    /// Returns a page of the access tokens issued under the service, optionally narrowed to one
    /// client and one end-user.
    ///
    /// `GET /api/{serviceId}/auth/token/get/list` (`auth_token_get_list_api`; `getTokenList` in Authlete's Java SDK).
    pub async fn get_token_list(
        &self,
        client_identifier: Option<&str>,
        subject: Option<&str>,
        start: Option<i32>,
        end: Option<i32>,
    ) -> Result<types::TokenGetListResponse> {
        let service = self.service_id(&routes::AUTH_TOKEN_GET_LIST_API)?;
        self.send(
            &routes::AUTH_TOKEN_GET_LIST_API,
            self.sys
                .auth_token_get_list_api(service, client_identifier, end, start, subject),
        )
        .await
    }

    /// Create an access token.
    ///
    /// Issues an access token directly, without going through an OAuth flow, using the grant type,
    /// client, subject and scopes supplied in the request body.
    ///
    /// `POST /api/{serviceId}/auth/token/create` (`auth_token_create_api`; `tokenCreate` in Authlete's Java SDK).
    pub async fn token_create(
        &self,
        request: &types::TokenCreateRequest,
    ) -> Result<types::TokenCreateResponse> {
        let service = self.service_id(&routes::AUTH_TOKEN_CREATE_API)?;
        self.send(
            &routes::AUTH_TOKEN_CREATE_API,
            self.sys.auth_token_create_api(service, request),
        )
        .await
    }

    /// Create access tokens in batch.
    ///
    /// Submits a batch job that issues many access tokens at once; the returned request ID can be
    /// used later to query the progress of the batch.
    ///
    /// `POST /api/{serviceId}/auth/token/create/batch` (`auth_token_create_batch_api`; `tokenCreateBatch` in Authlete's Java SDK).
    /// Not available in API generation 2: returns [`Error::UnsupportedInV2`] without sending anything.
    pub async fn token_create_batch(
        &self,
        requests: Vec<types::TokenCreateRequest>,
        dry_run: Option<bool>,
    ) -> Result<types::TokenCreateBatchResponse> {
        let service = self.service_id(&routes::AUTH_TOKEN_CREATE_BATCH_API)?;
        self.send(
            &routes::AUTH_TOKEN_CREATE_BATCH_API,
            self.sys
                .auth_token_create_batch_api(service, dry_run, &requests),
        )
        .await
    }

    /// Get batch token creation status.
    ///
    /// Reports the current state and results of a previously submitted batch token creation job.
    ///
    /// `GET /api/{serviceId}/auth/token/create/batch/status/{tokenBatchRequestId}` (`auth_token_create_batch_status_api`; `getTokenCreateBatchStatus` in Authlete's Java SDK).
    /// Not available in API generation 2: returns [`Error::UnsupportedInV2`] without sending anything.
    pub async fn get_token_create_batch_status(
        &self,
        token_batch_request_id: &str,
    ) -> Result<types::TokenCreateBatchStatusResponse> {
        let service = self.service_id(&routes::AUTH_TOKEN_CREATE_BATCH_STATUS_API)?;
        self.send(
            &routes::AUTH_TOKEN_CREATE_BATCH_STATUS_API,
            self.sys
                .auth_token_create_batch_status_api(service, token_batch_request_id),
        )
        .await
    }

    /// Update an access token.
    ///
    /// Modifies attributes of an existing access token, such as its expiry, scopes or properties,
    /// as given in the request body.
    ///
    /// `POST /api/{serviceId}/auth/token/update` (`auth_token_update_api`; `tokenUpdate` in Authlete's Java SDK).
    pub async fn token_update(
        &self,
        request: &types::TokenUpdateRequest,
    ) -> Result<types::TokenUpdateResponse> {
        let service = self.service_id(&routes::AUTH_TOKEN_UPDATE_API)?;
        self.send(
            &routes::AUTH_TOKEN_UPDATE_API,
            self.sys.auth_token_update_api(service, request),
        )
        .await
    }

    /// Delete an access token.
    ///
    /// Removes the specified access token from Authlete's database so that it can no longer be
    /// used.
    ///
    /// `DELETE /api/{serviceId}/auth/token/delete/{accessTokenIdentifier}` (`auth_token_delete_api`; `tokenDelete` in Authlete's Java SDK).
    pub async fn token_delete(&self, access_token_identifier: &str) -> Result<()> {
        let service = self.service_id(&routes::AUTH_TOKEN_DELETE_API)?;
        self.send_empty(
            &routes::AUTH_TOKEN_DELETE_API,
            self.sys
                .auth_token_delete_api(service, access_token_identifier),
        )
        .await
    }

    /// Revoke an access token.
    ///
    /// Invalidates an existing access token, optionally selecting tokens by client and subject, so
    /// that further requests presenting it are rejected.
    ///
    /// `POST /api/{serviceId}/auth/token/revoke` (`auth_token_revoke_api`; `tokenRevoke` in Authlete's Java SDK).
    pub async fn token_revoke(
        &self,
        request: &types::TokenRevokeRequest,
    ) -> Result<types::TokenRevokeResponse> {
        let service = self.service_id(&routes::AUTH_TOKEN_REVOKE_API)?;
        self.send(
            &routes::AUTH_TOKEN_REVOKE_API,
            self.sys.auth_token_revoke_api(service, request),
        )
        .await
    }

    /// Verify a JOSE object.
    ///
    /// Checks a JOSE object such as a signed JWT, validating its signature and, if requested,
    /// claims like expiration and mandatory fields, and reports whether it is valid.
    ///
    /// `POST /api/{serviceId}/jose/verify` (`jose_verify_api`; `verifyJose` in Authlete's Java SDK).
    pub async fn verify_jose(
        &self,
        request: &types::JoseVerifyRequest,
    ) -> Result<types::JoseVerifyResponse> {
        let service = self.service_id(&routes::JOSE_VERIFY_API)?;
        self.send(
            &routes::JOSE_VERIFY_API,
            self.sys.jose_verify_api(service, request),
        )
        .await
    }

    /// Process an entity configuration request.
    ///
    /// Builds the OpenID Federation 1.0 entity configuration of the service, to be served at its
    /// well-known endpoint. On `OK`, reply `200` with content type
    /// `application/entity-statement+jwt` and `responseContent` as body; `NOT_FOUND` means
    /// federation is disabled for the service.
    ///
    /// `POST /api/{serviceId}/federation/configuration` (`federation_configuration_api`; `federationConfiguration` in Authlete's Java SDK).
    pub async fn federation_configuration(&self) -> Result<types::FederationConfigurationResponse> {
        let service = self.service_id(&routes::FEDERATION_CONFIGURATION_API)?;
        self.send(
            &routes::FEDERATION_CONFIGURATION_API,
            self.sys.federation_configuration_api(
                service,
                &types::FederationConfigurationRequest(Default::default()),
            ),
        )
        .await
    }

    /// Process federation registration.
    ///
    /// Supports an OpenID Connect Federation 1.0 endpoint for explicit client registration. Pass
    /// the relying party's entity configuration in `entityConfiguration`, or its trust chain in
    /// `trustChain`, depending on the incoming request's content type.
    ///
    /// `POST /api/{serviceId}/federation/registration` (`federation_registration_api`; `federationRegistration` in Authlete's Java SDK).
    pub async fn federation_registration(
        &self,
        request: &types::FederationRegistrationRequest,
    ) -> Result<types::FederationRegistrationResponse> {
        let service = self.service_id(&routes::FEDERATION_REGISTRATION_API)?;
        self.send(
            &routes::FEDERATION_REGISTRATION_API,
            self.sys.federation_registration_api(service, request),
        )
        .await
    }

    /// Get server metadata.
    ///
    /// Returns the version of the Authlete server along with the features that are enabled on it.
    ///
    /// `GET /api/info` (`info_api`).
    /// Sends no credentials.
    pub async fn info(&self) -> Result<types::InfoResponse> {
        self.send(&routes::INFO_API, self.sys.info_api()).await
    }

    /// Get requestable scopes.
    ///
    /// Returns the set of scopes that the given client is allowed to request, as configured per
    /// client.
    ///
    /// `GET /api/{serviceId}/client/extension/requestable_scopes/get/{clientId}` (`client_extension_requestables_scopes_get_api`; `getRequestableScopes` in Authlete's Java SDK).
    pub async fn get_requestable_scopes(
        &self,
        client_id: &str,
    ) -> Result<types::ClientExtensionRequestableScopesGetResponse> {
        let service = self.service_id(&routes::CLIENT_EXTENSION_REQUESTABLES_SCOPES_GET_API)?;
        self.send(
            &routes::CLIENT_EXTENSION_REQUESTABLES_SCOPES_GET_API,
            self.sys
                .client_extension_requestables_scopes_get_api(service, client_id),
        )
        .await
    }

    /// Update requestable scopes.
    ///
    /// Replaces the set of scopes that the given client is allowed to request with the list in the
    /// request body.
    ///
    /// `POST /api/{serviceId}/client/extension/requestable_scopes/update/{clientId}` (`client_extension_requestables_scopes_update_api_post`; `setRequestableScopes` in Authlete's Java SDK).
    pub async fn set_requestable_scopes(
        &self,
        client_id: &str,
        request: &types::ClientExtensionRequestableScopesUpdateRequest,
    ) -> Result<types::ClientExtensionRequestableScopesUpdateResponse> {
        let service =
            self.service_id(&routes::CLIENT_EXTENSION_REQUESTABLES_SCOPES_UPDATE_API_POST)?;
        self.send(
            &routes::CLIENT_EXTENSION_REQUESTABLES_SCOPES_UPDATE_API_POST,
            self.sys
                .client_extension_requestables_scopes_update_api_post(service, client_id, request),
        )
        .await
    }

    /// Replace requestable scopes.
    ///
    /// PUT variant that sets the scopes the given client may request to the list in the request
    /// body.
    ///
    /// `PUT /api/{serviceId}/client/extension/requestable_scopes/update/{clientId}` (`client_extension_requestables_scopes_update_api`).
    /// In API generation 2 this calls `/api/client/extension/requestable_scopes/update/{clientId}`.
    pub async fn put_requestable_scopes(
        &self,
        client_id: &str,
        request: &types::ClientExtensionRequestableScopesUpdateRequest,
    ) -> Result<types::ClientExtensionRequestableScopesUpdateResponse> {
        let service = self.service_id(&routes::CLIENT_EXTENSION_REQUESTABLES_SCOPES_UPDATE_API)?;
        self.send(
            &routes::CLIENT_EXTENSION_REQUESTABLES_SCOPES_UPDATE_API,
            self.sys
                .client_extension_requestables_scopes_update_api(service, client_id, request),
        )
        .await
    }

    /// Delete requestable scopes.
    ///
    /// Clears the per-client list of scopes the client application is allowed to request.
    ///
    /// `DELETE /api/{serviceId}/client/extension/requestable_scopes/delete/{clientId}` (`client_extension_requestables_scopes_delete_api`; `deleteRequestableScopes` in Authlete's Java SDK).
    pub async fn delete_requestable_scopes(&self, client_id: &str) -> Result<()> {
        let service = self.service_id(&routes::CLIENT_EXTENSION_REQUESTABLES_SCOPES_DELETE_API)?;
        self.send_empty(
            &routes::CLIENT_EXTENSION_REQUESTABLES_SCOPES_DELETE_API,
            self.sys
                .client_extension_requestables_scopes_delete_api(service, client_id),
        )
        .await
    }

    /// Create a security key.
    ///
    ///
    /// `POST /api/{serviceId}/hsk/create` (`hsk_create_api`; `hskCreate` in Authlete's Java SDK).
    pub async fn hsk_create(
        &self,
        request: &types::HskCreateRequest,
    ) -> Result<types::HskCreateResponse> {
        let service = self.service_id(&routes::HSK_CREATE_API)?;
        self.send(
            &routes::HSK_CREATE_API,
            self.sys.hsk_create_api(service, request),
        )
        .await
    }

    /// Delete a security key.
    ///
    ///
    /// `DELETE /api/{serviceId}/hsk/delete/{handle}` (`hsk_delete_api`; `hskDelete` in Authlete's Java SDK).
    pub async fn hsk_delete(&self, handle: &str) -> Result<types::HskDeleteResponse> {
        let service = self.service_id(&routes::HSK_DELETE_API)?;
        self.send(
            &routes::HSK_DELETE_API,
            self.sys.hsk_delete_api(service, handle),
        )
        .await
    }

    /// Get a security key.
    ///
    ///
    /// `GET /api/{serviceId}/hsk/get/{handle}` (`hsk_get_api`; `hskGet` in Authlete's Java SDK).
    pub async fn hsk_get(&self, handle: &str) -> Result<types::HskGetResponse> {
        let service = self.service_id(&routes::HSK_GET_API)?;
        self.send(&routes::HSK_GET_API, self.sys.hsk_get_api(service, handle))
            .await
    }

    /// List hardware security keys.
    ///
    ///
    /// `GET /api/{serviceId}/hsk/get/list` (`hsk_get_list_api`; `hskGetList` in Authlete's Java SDK).
    pub async fn hsk_get_list(&self) -> Result<types::HskGetListResponse> {
        let service = self.service_id(&routes::HSK_GET_LIST_API)?;
        self.send(
            &routes::HSK_GET_LIST_API,
            self.sys.hsk_get_list_api(service),
        )
        .await
    }

    /// Echo test.
    ///
    /// Diagnostic endpoint that simply reflects the parameters of the request back to the caller,
    /// handy for testing connectivity.
    ///
    /// `GET /api/misc/echo` (`misc_echo_api`; `echo` in Authlete's Java SDK).
    /// Sends no credentials.
    pub async fn echo(&self) -> Result<()> {
        self.send_empty(&routes::MISC_ECHO_API, self.sys.misc_echo_api())
            .await
    }

    /// Get credential issuer metadata.
    ///
    /// Returns the metadata of the service acting as a verifiable credential issuer, for publishing
    /// at its well-known credential issuer endpoint.
    ///
    /// `POST /api/{serviceId}/vci/metadata` (`vci_metadata_api`; `credentialIssuerMetadata` in Authlete's Java SDK).
    pub async fn credential_issuer_metadata(
        &self,
        request: &types::VciMetadataRequest,
    ) -> Result<types::VciMetadataResponse> {
        let service = self.service_id(&routes::VCI_METADATA_API)?;
        self.send(
            &routes::VCI_METADATA_API,
            self.sys.vci_metadata_api(service, request),
        )
        .await
    }

    /// Get JWT issuer metadata.
    ///
    /// Produces the JWT issuer metadata of the service used in OpenID for Verifiable Credential
    /// Issuance.
    ///
    /// `POST /api/{serviceId}/vci/jwtissuer` (`vci_jwtissuer_api`; `credentialJwtIssuerMetadata` in Authlete's Java SDK).
    pub async fn credential_jwt_issuer_metadata(
        &self,
        request: &types::VciJwtissuerRequest,
    ) -> Result<types::VciJwtissuerResponse> {
        let service = self.service_id(&routes::VCI_JWTISSUER_API)?;
        self.send(
            &routes::VCI_JWTISSUER_API,
            self.sys.vci_jwtissuer_api(service, request),
        )
        .await
    }

    /// Get credential issuer JWKS.
    ///
    /// Returns the JSON Web Key Set that the verifiable credential issuer exposes for verifying the
    /// credentials it signs.
    ///
    /// `POST /api/{serviceId}/vci/jwks` (`vci_jwks_api`; `credentialIssuerJwks` in Authlete's Java SDK).
    pub async fn credential_issuer_jwks(
        &self,
        request: &types::VciJwksRequest,
    ) -> Result<types::VciJwksResponse> {
        let service = self.service_id(&routes::VCI_JWKS_API)?;
        self.send(
            &routes::VCI_JWKS_API,
            self.sys.vci_jwks_api(service, request),
        )
        .await
    }

    /// Create a credential offer.
    ///
    /// Creates a credential offer for OpenID for Verifiable Credential Issuance, which a wallet can
    /// use to start obtaining credentials.
    ///
    /// `POST /api/{serviceId}/vci/offer/create` (`vci_offer_create_api`; `credentialOfferCreate` in Authlete's Java SDK).
    pub async fn credential_offer_create(
        &self,
        request: &types::VciOfferCreateRequest,
    ) -> Result<types::VciOfferCreateResponse> {
        let service = self.service_id(&routes::VCI_OFFER_CREATE_API)?;
        self.send(
            &routes::VCI_OFFER_CREATE_API,
            self.sys.vci_offer_create_api(service, request),
        )
        .await
    }

    /// Get credential offer info.
    ///
    /// Looks up details of a previously created verifiable credential offer.
    ///
    /// `POST /api/{serviceId}/vci/offer/info` (`vci_offer_info_api`; `credentialOfferInfo` in Authlete's Java SDK).
    pub async fn credential_offer_info(
        &self,
        request: &types::VciOfferInfoRequest,
    ) -> Result<types::VciOfferInfoResponse> {
        let service = self.service_id(&routes::VCI_OFFER_INFO_API)?;
        self.send(
            &routes::VCI_OFFER_INFO_API,
            self.sys.vci_offer_info_api(service, request),
        )
        .await
    }

    /// Parse a credential request.
    ///
    /// Parses and validates a single request sent to the credential endpoint of a verifiable
    /// credential issuer.
    ///
    /// `POST /api/{serviceId}/vci/single/parse` (`vci_single_parse_api`; `credentialSingleParse` in Authlete's Java SDK).
    pub async fn credential_single_parse(
        &self,
        request: &types::VciSingleParseRequest,
    ) -> Result<types::VciSingleParseResponse> {
        let service = self.service_id(&routes::VCI_SINGLE_PARSE_API)?;
        self.send(
            &routes::VCI_SINGLE_PARSE_API,
            self.sys.vci_single_parse_api(service, request),
        )
        .await
    }

    /// Issue a single credential.
    ///
    /// Produces one verifiable credential in response to a request received at the credential
    /// endpoint.
    ///
    /// `POST /api/{serviceId}/vci/single/issue` (`vci_single_issue_api`; `credentialSingleIssue` in Authlete's Java SDK).
    pub async fn credential_single_issue(
        &self,
        request: &types::VciSingleIssueRequest,
    ) -> Result<types::VciSingleIssueResponse> {
        let service = self.service_id(&routes::VCI_SINGLE_ISSUE_API)?;
        self.send(
            &routes::VCI_SINGLE_ISSUE_API,
            self.sys.vci_single_issue_api(service, request),
        )
        .await
    }

    /// Parse a batch credential request.
    ///
    /// Parses and validates a request sent to the batch credential endpoint, which asks for several
    /// verifiable credentials at once.
    ///
    /// `POST /api/{serviceId}/vci/batch/parse` (`vci_batch_parse_api`; `credentialBatchParse` in Authlete's Java SDK).
    pub async fn credential_batch_parse(
        &self,
        request: &types::VciBatchParseRequest,
    ) -> Result<types::VciBatchParseResponse> {
        let service = self.service_id(&routes::VCI_BATCH_PARSE_API)?;
        self.send(
            &routes::VCI_BATCH_PARSE_API,
            self.sys.vci_batch_parse_api(service, request),
        )
        .await
    }

    /// Issue credentials in batch.
    ///
    /// Produces several verifiable credentials at once, for a request received at the batch
    /// credential endpoint.
    ///
    /// `POST /api/{serviceId}/vci/batch/issue` (`vci_batch_issue_api`; `credentialBatchIssue` in Authlete's Java SDK).
    pub async fn credential_batch_issue(
        &self,
        request: &types::VciBatchIssueRequest,
    ) -> Result<types::VciBatchIssueResponse> {
        let service = self.service_id(&routes::VCI_BATCH_ISSUE_API)?;
        self.send(
            &routes::VCI_BATCH_ISSUE_API,
            self.sys.vci_batch_issue_api(service, request),
        )
        .await
    }

    /// Health check.
    ///
    /// Reports whether the Authlete server is up and able to handle requests.
    ///
    /// `GET /api/lifecycle/healthcheck` (`lifecycle_healthcheck_api`).
    /// Sends no credentials.
    pub async fn healthcheck(&self, extended: Option<bool>) -> Result<String> {
        self.send_text(
            &routes::LIFECYCLE_HEALTHCHECK_API,
            self.sys.lifecycle_healthcheck_api(extended),
        )
        .await
    }

    /// Parse a deferred credential request.
    ///
    /// Parses and validates a request sent to the deferred credential endpoint, identifying which
    /// pending credential the wallet is asking for.
    ///
    /// `POST /api/{serviceId}/vci/deferred/parse` (`vci_deferred_parse_api`; `credentialDeferredParse` in Authlete's Java SDK).
    pub async fn credential_deferred_parse(
        &self,
        request: &types::VciDeferredParseRequest,
    ) -> Result<types::VciDeferredParseResponse> {
        let service = self.service_id(&routes::VCI_DEFERRED_PARSE_API)?;
        self.send(
            &routes::VCI_DEFERRED_PARSE_API,
            self.sys.vci_deferred_parse_api(service, request),
        )
        .await
    }

    /// Issue a deferred credential.
    ///
    /// Produces the verifiable credential whose issuance was previously deferred, answering a
    /// deferred credential request.
    ///
    /// `POST /api/{serviceId}/vci/deferred/issue` (`vci_deferred_issue_api`; `credentialDeferredIssue` in Authlete's Java SDK).
    pub async fn credential_deferred_issue(
        &self,
        request: &types::VciDeferredIssueRequest,
    ) -> Result<types::VciDeferredIssueResponse> {
        let service = self.service_id(&routes::VCI_DEFERRED_ISSUE_API)?;
        self.send(
            &routes::VCI_DEFERRED_ISSUE_API,
            self.sys.vci_deferred_issue_api(service, request),
        )
        .await
    }

    /// Get ticket information.
    ///
    ///
    /// `POST /api/{serviceId}/auth/authorization/ticket/info` (`getAuthorizationTicketInfo`; `authorizationTicketInfo` in Authlete's Java SDK).
    pub async fn authorization_ticket_info(
        &self,
        request: &types::AuthorizationTicketInfoRequest,
    ) -> Result<types::AuthorizationTicketInfoResponse> {
        let service = self.service_id(&routes::GET_AUTHORIZATION_TICKET_INFO)?;
        self.send(
            &routes::GET_AUTHORIZATION_TICKET_INFO,
            self.sys.get_authorization_ticket_info(service, request),
        )
        .await
    }

    /// Update ticket information.
    ///
    ///
    /// `POST /api/{serviceId}/auth/authorization/ticket/update` (`updateAuthorizationTicket`; `authorizationTicketUpdate` in Authlete's Java SDK).
    pub async fn authorization_ticket_update(
        &self,
        request: &types::AuthorizationTicketUpdateRequest,
    ) -> Result<types::AuthorizationTicketUpdateResponse> {
        let service = self.service_id(&routes::UPDATE_AUTHORIZATION_TICKET)?;
        self.send(
            &routes::UPDATE_AUTHORIZATION_TICKET,
            self.sys.update_authorization_ticket(service, request),
        )
        .await
    }

    /// Process a Native SSO request.
    ///
    /// Called from your token endpoint when `/auth/token` returns `action` `NATIVE_SSO`, after
    /// checking the session and device secret, to build the ID token and token response defined by
    /// OpenID Connect Native SSO for Mobile Apps. On `OK`, return `responseContent` with 200.
    ///
    /// `POST /api/{serviceId}/nativesso` (`native_sso_api`; `nativeSso` in Authlete's Java SDK).
    pub async fn native_sso(
        &self,
        request: &types::NativeSsoRequest,
    ) -> Result<types::NativeSsoResponse> {
        let service = self.service_id(&routes::NATIVE_SSO_API)?;
        self.send(
            &routes::NATIVE_SSO_API,
            self.sys.native_sso_api(service, request),
        )
        .await
    }

    /// Process a Native SSO logout.
    ///
    /// Implements logout from all apps for OpenID Connect Native SSO by deleting the access and
    /// refresh tokens bound to a given `sessionId`. The response's `action` is `OK` on success,
    /// `SERVER_ERROR` for an Authlete-side failure, or `CALLER_ERROR` if the request was faulty,
    /// e.g. lacked `sessionId`.
    ///
    /// `POST /api/{serviceId}/nativesso/logout` (`native_sso_logout_api`; `nativeSsoLogout` in Authlete's Java SDK).
    pub async fn native_sso_logout(
        &self,
        request: &types::NativeSsoLogoutRequest,
    ) -> Result<types::NativeSsoLogoutResponse> {
        let service = self.service_id(&routes::NATIVE_SSO_LOGOUT_API)?;
        self.send(
            &routes::NATIVE_SSO_LOGOUT_API,
            self.sys.native_sso_logout_api(service, request),
        )
        .await
    }

    /// Create a credential nonce.
    ///
    /// Called from the nonce endpoint of an OpenID for Verifiable Credential Issuance credential
    /// issuer, which wallets ask for a fresh `c_nonce` to put into their key proofs. Reply 200
    /// with `responseContent` on `OK`, 404 on `NOT_FOUND` (the service has verifiable credentials
    /// turned off) and 500 on `INTERNAL_SERVER_ERROR`. Absent from Authlete's published spec
    /// 3.0.16; Authlete serves it from 3.0.22.
    ///
    /// `POST /api/{serviceId}/vci/nonce` (`vci_nonce_api`; `credentialNonce` in Authlete's Java SDK).
    /// In API generation 2 this calls `/api/vci/nonce`: the path exists, but Authlete 2.x servers
    /// do not serve this operation, so expect an error answer from them.
    pub async fn credential_nonce(
        &self,
        request: &types::VciNonceRequest,
    ) -> Result<types::VciNonceResponse> {
        let service = self.service_id(&routes::VCI_NONCE_API)?;
        self.send(
            &routes::VCI_NONCE_API,
            self.sys.vci_nonce_api(service, request),
        )
        .await
    }

    /// Create an attestation challenge.
    ///
    /// Called from the challenge endpoint of an authorization server that supports OAuth 2.0
    /// Attestation-Based Client Authentication, where clients fetch a fresh value to bind into
    /// their attestation proof of possession. Reply 200 with `responseContent` on `OK` and 500 on
    /// `INTERNAL_SERVER_ERROR`. Absent from Authlete's published spec 3.0.16; Authlete serves it
    /// from 3.0.28.
    ///
    /// `POST /api/{serviceId}/attestation/challenge` (`attestation_challenge_api`; `attestationChallenge` in Authlete's Java SDK).
    /// In API generation 2 this calls `/api/attestation/challenge`: the path exists, but Authlete
    /// 2.x servers do not serve this operation, so expect an error answer from them.
    pub async fn attestation_challenge(
        &self,
        request: &types::AttestationChallengeRequest,
    ) -> Result<types::AttestationChallengeResponse> {
        let service = self.service_id(&routes::ATTESTATION_CHALLENGE_API)?;
        self.send(
            &routes::ATTESTATION_CHALLENGE_API,
            self.sys.attestation_challenge_api(service, request),
        )
        .await
    }

    /// Create a back-channel logout token.
    ///
    /// Builds and signs an OpenID Connect Back-Channel Logout token addressed to one client,
    /// naming the end-user (`subject`), the session (`sessionId`) or both, and returns it with the
    /// client's registered `backchannelLogoutUri`. On `OK` the authorization server delivers it
    /// itself, as the form parameter `logout_token` in a POST to that URI; `SERVER_ERROR` and
    /// `CALLER_ERROR` mean that no token was made. No access or refresh token is revoked. Absent
    /// from Authlete's published spec 3.0.16; Authlete serves it from 3.0.32.
    ///
    /// `POST /api/{serviceId}/backchannel/logout/token` (`backchannel_logout_token_api`; `backchannelLogoutToken` in Authlete's Java SDK).
    /// In API generation 2 this calls `/api/backchannel/logout/token`: the path exists, but
    /// Authlete 2.x servers do not serve this operation, so expect an error answer from them.
    pub async fn backchannel_logout_token(
        &self,
        request: &types::BackchannelLogoutTokenRequest,
    ) -> Result<types::BackchannelLogoutTokenResponse> {
        let service = self.service_id(&routes::BACKCHANNEL_LOGOUT_TOKEN_API)?;
        self.send(
            &routes::BACKCHANNEL_LOGOUT_TOKEN_API,
            self.sys.backchannel_logout_token_api(service, request),
        )
        .await
    }
}
