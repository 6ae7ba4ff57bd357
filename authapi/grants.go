package authapi

import "net/http"

// otherGrant answers the grants of the authorisation-code flow
// (authorization_code, refresh_token); ok is false for an unknown grant.
func (a *API) otherGrant(w http.ResponseWriter, r *http.Request, id, secret string) (any, bool) {
	return nil, false
}
