package authapi

import (
	"net/http"
	"time"

	"dsn"
	"dsn/access"
)

// otherGrant answers authorization_code (RFC 6749 §4.1.3 with PKCE) and
// refresh_token (§6); ok is false for an unknown grant type. A confidential
// client authenticates (Basic or form secret); a public one names its
// client_id and proves possession through PKCE.
func (a *API) otherGrant(w http.ResponseWriter, r *http.Request, id, secret string) (any, bool) {
	gt := r.PostForm.Get("grant_type")
	if gt != "authorization_code" && gt != "refresh_token" {
		return nil, false
	}
	c, err := a.client(r, id, secret)
	if err != nil {
		a.grantError(w, r, "client:"+id, err)
		return nil, true
	}
	var t access.Tokens
	if gt == "authorization_code" {
		t, err = a.auth.RedeemCode(r.Context(), c, r.PostForm.Get("code"), r.PostForm.Get("redirect_uri"), r.PostForm.Get("code_verifier"))
	} else {
		t, err = a.auth.Refresh(r.Context(), c, r.PostForm.Get("refresh_token"))
	}
	if err != nil {
		a.grantError(w, r, "client:"+c.ID, err)
		return nil, true
	}
	a.note(r, "token", t.Principal.Agent(), "")
	resp := tokenResponse(t.Access, t.Expires, t.Principal, a.auth)
	if t.Refresh != "" {
		resp["refresh_token"] = t.Refresh
	}
	if t.IDToken != "" {
		resp["id_token"] = t.IDToken
	}
	resp["expires_in"] = int(time.Until(t.Expires).Seconds())
	writeJSON(w, http.StatusOK, resp)
	return nil, true
}

// client authenticates a confidential client, or accepts a public one by id.
func (a *API) client(r *http.Request, id, secret string) (access.Client, error) {
	c, err := a.auth.ActiveClient(r.Context(), id)
	if err != nil {
		return access.Client{}, errorOf("authapi", dsn.KindUnauthorized, "json.client_unknown")
	}
	if c.SecretHash == "" {
		return c, nil
	}
	return a.auth.AuthenticateClient(r.Context(), id, secret)
}
