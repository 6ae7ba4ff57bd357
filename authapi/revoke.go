package authapi

import (
	"net/http"

	"dsn"
)

// revoke is the revocation endpoint (RFC 7009 §2): the client authenticates
// as at the token endpoint (HTTP Basic or form fields; a public client by
// its client_id), names a token and optionally its type. A token that is
// unknown, invalid, expired or already revoked answers 200 like a revoked
// one (§2.2: the client can do nothing else about it). Revoking a token
// revokes its whole grant, refresh and access tokens (§2.1,
// access.Service.RevokeToken).
func (a *API) revoke(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := a.clientForm(w, r)
	if !ok {
		return
	}
	c, err := a.client(r, id, secret)
	if err != nil {
		a.journal(r, Event{Name: "revoke", Agent: "client:" + id, Outcome: "unauthorized"})
		w.Header().Set("WWW-Authenticate", `Basic realm="dsn"`)
		a.oauthError(w, r, http.StatusUnauthorized, "invalid_client", "json.detail", err)
		return
	}
	token := r.PostForm.Get("token")
	if token == "" {
		a.oauthError(w, r, http.StatusBadRequest, "invalid_request", "json.token_missing", nil)
		return
	}
	rv, err := a.auth.RevokeToken(r.Context(), token, r.PostForm.Get("token_type_hint"), c.ID)
	if err == nil {
		a.journal(r, Event{Name: "revoke", Agent: "client:" + c.ID, Client: c.ID, Patient: rv.Patient,
			Detail: rv.Type + " " + rv.ID + " de " + rv.Agent})
		w.WriteHeader(http.StatusOK)
		return
	}
	switch dsn.KindOf(err) {
	case dsn.KindNotFound:
		w.WriteHeader(http.StatusOK) // nothing to revoke (RFC 7009 §2.2)
	case dsn.KindInvalid:
		a.oauthError(w, r, http.StatusBadRequest, "unsupported_token_type", "json.detail", err)
	case dsn.KindForbidden:
		a.journal(r, Event{Name: "revoke", Agent: "client:" + c.ID, Client: c.ID, Outcome: "forbidden"})
		a.oauthError(w, r, http.StatusBadRequest, "invalid_request", "json.detail", err)
	default:
		a.oauthError(w, r, http.StatusInternalServerError, "server_error", "json.internal", err)
	}
}
