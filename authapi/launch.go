package authapi

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"dsn"
	"dsn/access"
)

// SMART App Launch 2 launch contexts over HTTP (app-launch/app-launch.html):
// POST /auth/launch makes an EHR launch context; /authorize with launch=
// and the launch scope takes it; a standalone launch/patient by staff shows,
// after sign-in, the patient picker below. Whether the user may see a
// patient is asked of Patients: the same policy and journal as /fhir.

// Patients reads patients for the launch flows through the access policy
// of /fhir (the guard), journaling what it shows (LRSSS s. 103).
type Patients interface {
	// Find searches patients as p (name, NAM, birth date) and returns the
	// ones p may see, at most max.
	Find(ctx context.Context, p *access.Principal, q PatientQuery, max int, from *http.Request) ([]PatientCard, error)
	// Check reads the patient (and the encounter, which must be theirs) as p.
	// Errors: KindNotFound (unknown or hidden), KindForbidden.
	Check(ctx context.Context, p *access.Principal, patient, encounter string, from *http.Request) error
}

// PatientQuery is the picker's search; at least one field is set.
type PatientQuery struct {
	Name      string // any part of a name
	NAM       string // the RAMQ health insurance number, 4 letters and 8 digits
	BirthDate string // YYYY-MM-DD
}

// PatientCard is one line of the picker.
type PatientCard struct {
	ID, Name, NAM, BirthDate, Gender string
}

// pickerScopes are what the picker and the launch checks read with: the
// Patient and Encounter, under the user's role ceiling and the policy.
var pickerScopes = access.MustScopes("user/Patient.rs user/Encounter.rs")

// launchResponse is the answer of POST /auth/launch.
type launchResponse struct {
	Launch    string `json:"launch"`
	ExpiresIn int    `json:"expires_in"`
	Patient   string `json:"patient"`
	Encounter string `json:"encounter,omitempty"`
}

// launch makes an EHR launch context: POST /auth/launch with a bearer token
// of staff or a back-end system (the EHR), and patient (and encounter) as
// a form or JSON. The caller must see the patient under the policy.
func (a *API) launch(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p, err := a.auth.Authenticate(r.Context(), strings.TrimSpace(tok))
	if !ok || err != nil {
		a.note(r, "launch", "anonymous", "unauthorized")
		w.Header().Set("WWW-Authenticate", `Bearer realm="dsn"`)
		a.oauthError(w, r, http.StatusUnauthorized, "invalid_token", "json.bearer", nil)
		return
	}
	patient, encounter, err := launchFields(w, r)
	if err != nil {
		a.oauthError(w, r, http.StatusBadRequest, "invalid_request", "json.detail", err)
		return
	}
	if p.Realm == access.RealmCitizen {
		a.journal(r, Event{Name: "launch", Agent: p.Agent(), Outcome: "forbidden", Patient: patient})
		a.oauthError(w, r, http.StatusForbidden, "access_denied", "json.launch_staff", nil)
		return
	}
	if a.patients == nil {
		a.oauthError(w, r, http.StatusNotImplemented, "server_error", "json.launch_off", nil)
		return
	}
	if err := a.patients.Check(r.Context(), p, patient, encounter, r); err != nil {
		a.journal(r, Event{Name: "launch", Agent: p.Agent(), Outcome: dsn.KindOf(err).String(), Patient: patient})
		a.launchError(w, r, err)
		return
	}
	launch, lc, err := a.auth.CreateLaunch(r.Context(), p, patient, encounter)
	if err != nil {
		a.launchError(w, r, err)
		return
	}
	a.journal(r, Event{Name: "launch", Agent: p.Agent(), Patient: patient, Client: p.ClientID, Person: p.Name,
		Role: string(p.Role), Establishment: p.Establishment,
		Detail: "contexte de lancement (DME): Patient/" + patient + encounterDetail(encounter)})
	writeJSON(w, http.StatusOK, launchResponse{Launch: launch, ExpiresIn: int(time.Until(lc.Expires).Seconds()),
		Patient: patient, Encounter: encounter})
}

func encounterDetail(encounter string) string {
	if encounter == "" {
		return ""
	}
	return " Encounter/" + encounter
}

func (a *API) launchError(w http.ResponseWriter, r *http.Request, err error) {
	switch dsn.KindOf(err) {
	case dsn.KindNotFound:
		a.oauthError(w, r, http.StatusNotFound, "invalid_request", "json.launch_not_found", nil)
	case dsn.KindForbidden:
		a.oauthError(w, r, http.StatusForbidden, "access_denied", "json.detail", err)
	case dsn.KindInvalid:
		a.oauthError(w, r, http.StatusBadRequest, "invalid_request", "json.detail", err)
	default:
		a.oauthError(w, r, http.StatusInternalServerError, "server_error", "json.internal", err)
	}
}

// launchFields reads patient and encounter from a form or a JSON object.
func launchFields(w http.ResponseWriter, r *http.Request) (string, string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	var in struct{ Patient, Encounter string }
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" {
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			return "", "", &dsn.Error{Op: "authapi.launch", Kind: dsn.KindInvalid,
				Msg: `JSON illisible: {"patient": ID, "encounter": ID}`, English: `unreadable JSON: {"patient": ID, "encounter": ID}`}
		}
	} else {
		if err := r.ParseForm(); err != nil {
			return "", "", &dsn.Error{Op: "authapi.launch", Kind: dsn.KindInvalid, Msg: "formulaire illisible", English: "unreadable form"}
		}
		in.Patient, in.Encounter = r.PostForm.Get("patient"), r.PostForm.Get("encounter")
	}
	in.Patient = strings.TrimPrefix(in.Patient, "Patient/")
	in.Encounter = strings.TrimPrefix(in.Encounter, "Encounter/")
	return in.Patient, in.Encounter, access.CheckLaunchIDs(in.Patient, in.Encounter)
}

// checkLaunch applies SMART's rules on launch and the launch scope at
// /authorize; on failure it redirects the error to the app.
func (a *API) checkLaunch(w http.ResponseWriter, r *http.Request, ar access.AuthorizeRequest, q url.Values) bool {
	launch := q.Get("launch")
	switch {
	case launch == "" && ar.Scope.Has("launch"):
		redirectError(w, r, ar.RedirectURI, q.Get("state"), "invalid_request", "redirect.launch_param", "")
		return false
	case launch != "" && !ar.Scope.Has("launch"):
		redirectError(w, r, ar.RedirectURI, q.Get("state"), "invalid_scope", "redirect.launch_scope", "")
		return false
	case launch != "":
		if _, err := a.auth.Launch(r.Context(), launch); err != nil {
			redirectError(w, r, ar.RedirectURI, q.Get("state"), "invalid_request", "json.detail", langOf(r).message(err))
			return false
		}
	}
	return true
}

// signedIn finishes an authorisation once u signed in (password or
// federated): the EHR launch's context is taken, a standalone launch/patient
// by staff goes to the picker, and otherwise the app gets its code.
func (a *API) signedIn(w http.ResponseWriter, r *http.Request, ar access.AuthorizeRequest, f url.Values, u access.User) {
	ar, picker, err := a.withLaunch(r, ar, f, u)
	switch {
	case err != nil:
		redirectError(w, r, ar.RedirectURI, ar.State, "access_denied", "json.detail", langOf(r).message(err))
	case picker:
		id, err := a.auth.StartPicker(r.Context(), ar, u)
		if err != nil {
			a.oauthError(w, r, http.StatusInternalServerError, "server_error", "json.internal", err)
			return
		}
		a.showPicker(w, r, ar, f, pickerView{Session: id, User: u.Name}, http.StatusOK)
	default:
		a.issueOrAsk(w, r, ar, u)
	}
}

// withLaunch applies the launch once u signed in, whatever the way: an EHR
// launch's context is taken (one use; the user must see the patient under
// the policy) into ar; picker reports a standalone launch/patient by staff,
// who must choose the patient first.
func (a *API) withLaunch(r *http.Request, ar access.AuthorizeRequest, f url.Values, u access.User) (_ access.AuthorizeRequest, picker bool, _ error) {
	launch := f.Get("launch")
	if launch == "" {
		return ar, ar.Scope.Has("launch/patient") && u.Realm == access.RealmStaff && a.patients != nil, nil
	}
	if !ar.Scope.Has("launch") { // /authorize checks it first (checkLaunch); passkeys come here directly
		return ar, false, errorOf("authapi.launch", dsn.KindInvalid, "redirect.launch_scope")
	}
	lc, err := a.auth.TakeLaunch(r.Context(), launch, u)
	if err == nil && a.patients != nil {
		err = a.patients.Check(r.Context(), access.UserPrincipal(u, pickerScopes, ar.Client.ID), lc.Patient, lc.Encounter, r)
	}
	e := userEvent("launch", u, ar.Client.ID, lc.Patient)
	if err != nil {
		e.Outcome = dsn.KindOf(err).String()
		a.journal(r, e)
		return ar, false, err
	}
	ar.Patient, ar.Encounter = lc.Patient, lc.Encounter
	e.Detail = "lancement depuis le dossier: Patient/" + lc.Patient + encounterDetail(lc.Encounter)
	a.journal(r, e)
	return ar, false, nil
}

// pickerCookie carries a picker session to the authorisation page when the
// sign-in was not a form post (passkeys answer JSON): never in a URL.
const pickerCookie = "dsn_picker"

// resumePicker shows the picker of a session opened by a passkey sign-in,
// if the browser holds one for this very request.
func (a *API) resumePicker(w http.ResponseWriter, r *http.Request, ar access.AuthorizeRequest, q url.Values) bool {
	c, err := r.Cookie(pickerCookie)
	if err != nil || a.patients == nil {
		return false
	}
	u, err := a.auth.Picker(r.Context(), c.Value, ar)
	if err != nil {
		return false
	}
	a.showPicker(w, r, ar, q, pickerView{Session: c.Value, User: u.Name}, http.StatusOK)
	return true
}

// issueCode sends the browser back to the app with a one-time code.
func (a *API) issueCode(w http.ResponseWriter, r *http.Request, ar access.AuthorizeRequest, u access.User) {
	code, err := a.auth.IssueCode(r.Context(), ar, u)
	if err != nil {
		a.oauthError(w, r, http.StatusInternalServerError, "server_error", "json.internal", err)
		return
	}
	v := url.Values{"code": {code}}
	if ar.State != "" {
		v.Set("state", ar.State)
	}
	http.Redirect(w, r, withQuery(ar.RedirectURI, v), http.StatusFound)
}

var (
	namPattern  = regexp.MustCompile(`^[A-Z]{4}[0-9]{8}$`)
	datePattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// pickerMax is the most patients the picker lists: refine the search beyond.
const pickerMax = 20

// pickerSubmit is a POST of the picker page (its CSRF was checked): a
// search, or the choice of a patient, who becomes the token's context.
func (a *API) pickerSubmit(w http.ResponseWriter, r *http.Request, ar access.AuthorizeRequest, f url.Values) {
	session := f.Get("picker")
	u, err := a.auth.Picker(r.Context(), session, ar)
	if err != nil {
		a.showError(w, r, http.StatusBadRequest, "error.picker_session", err)
		return
	}
	p := access.UserPrincipal(u, pickerScopes, ar.Client.ID)
	q := PatientQuery{Name: strings.TrimSpace(f.Get("nom")), NAM: strings.ToUpper(strings.ReplaceAll(f.Get("nam"), " ", "")),
		BirthDate: strings.TrimSpace(f.Get("naissance"))}
	view := pickerView{Session: session, User: u.Name, Query: q}
	if f.Get("action") == "choisir" {
		patient := f.Get("patient")
		err := access.CheckLaunchIDs(patient, "")
		if err == nil {
			err = a.patients.Check(r.Context(), p, patient, "", r)
		}
		if err != nil {
			e := userEvent("launch", u, ar.Client.ID, patient)
			e.Outcome = dsn.KindOf(err).String()
			a.journal(r, e)
			view.Error = "error.patient_hidden"
			a.showPicker(w, r, ar, f, view, http.StatusForbidden)
			return
		}
		a.auth.EndPicker(r.Context(), session)
		http.SetCookie(w, &http.Cookie{Name: pickerCookie, Path: a.prefix + "/authorize", MaxAge: -1}) // a passkey's, if any
		ar.Patient = patient
		e := userEvent("launch", u, ar.Client.ID, patient)
		e.Detail = "lancement autonome: usager choisi Patient/" + patient
		a.journal(r, e)
		a.issueOrAsk(w, r, ar, u)
		return
	}
	switch {
	case q.Name == "" && q.NAM == "" && q.BirthDate == "":
		view.Error = "error.criteria"
	case q.NAM != "" && !namPattern.MatchString(q.NAM):
		view.Error = "error.nam"
	case q.BirthDate != "" && !validDate(q.BirthDate):
		view.Error = "error.birth"
	case len(q.Name) > 100:
		view.Error = "error.name_long"
	}
	if view.Error != "" {
		a.showPicker(w, r, ar, f, view, http.StatusBadRequest)
		return
	}
	cards, err := a.patients.Find(r.Context(), p, q, pickerMax, r)
	if err != nil {
		a.log.Error("patient picker", "err", err)
		view.Error = "error.search_failed"
		a.showPicker(w, r, ar, f, view, http.StatusInternalServerError)
		return
	}
	view.Results, view.Searched = cards, true
	a.showPicker(w, r, ar, f, view, http.StatusOK)
}

func validDate(s string) bool {
	if !datePattern.MatchString(s) {
		return false
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// pickerView is what the picker page shows.
type pickerView struct {
	Session, User string
	Query         PatientQuery
	Results       []PatientCard
	Searched      bool
	Error         string // a message id (messages.go)
}

var pickerPage = authPage("picker", "picker.title", `<h1>{{call .T "picker.heading"}}</h1>
<p>{{.User}}{{call .T "picker.app"}} <strong>{{.Client}}</strong> {{call .T "picker.opens"}}
{{call .T "picker.only"}}</p>
{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}" role="search">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<input type="hidden" name="csrf" value="{{.CSRF}}"><input type="hidden" name="picker" value="{{.Session}}">
<input type="hidden" name="action" value="chercher">
<label>{{call .T "picker.name"}} <input name="nom" value="{{.Query.Name}}" autocomplete="off"></label>
<label>{{call .T "picker.nam"}} <input name="nam" value="{{.Query.NAM}}" autocomplete="off" placeholder="ABCD12345678"></label>
<label>{{call .T "picker.birth"}} <input name="naissance" type="date" value="{{.Query.BirthDate}}"></label>
<button type="submit">{{call .T "picker.search"}}</button>
</form>
{{if .Searched}}{{if .Results}}<table>
<caption>{{len .Results}} {{call .T "picker.count"}}{{if eq (len .Results) .Max}}{{call .T "picker.refine"}}{{end}}</caption>
<thead><tr><th>{{call .T "picker.name"}}</th><th>{{call .T "picker.col.nam"}}</th><th>{{call .T "picker.col.born"}}</th><th>{{call .T "picker.col.sex"}}</th><th></th></tr></thead><tbody>
{{range .Results}}<tr><td>{{.Name}}</td><td>{{.NAM}}</td><td>{{.BirthDate}}</td><td>{{.Gender}}</td><td>
<form method="post" action="{{$.Action}}">
{{range $k, $v := $.Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<input type="hidden" name="csrf" value="{{$.CSRF}}"><input type="hidden" name="picker" value="{{$.Session}}">
<input type="hidden" name="action" value="choisir"><input type="hidden" name="patient" value="{{.ID}}">
<button type="submit">{{call $.T "picker.choose"}}</button></form></td></tr>
{{end}}</tbody></table>{{else}}<p>{{call .T "picker.none"}}</p>{{end}}{{end}}
<form method="post" action="{{.Action}}">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<input type="hidden" name="csrf" value="{{.CSRF}}"><input type="hidden" name="picker" value="{{.Session}}">
<button type="submit" name="lang" value="{{.Other}}" lang="{{.Other}}">{{.OtherName}}</button></form>`)

// showPicker renders the picker page with a fresh CSRF token (double
// submit, as the sign-in form: showLogin).
func (a *API) showPicker(w http.ResponseWriter, r *http.Request, ar access.AuthorizeRequest, q url.Values, v pickerView, status int) {
	csrf, hidden := a.formState(w, r, q)
	l := langPage(w, r, ar.RedirectURI)
	w.WriteHeader(status)
	msg := ""
	if v.Error != "" {
		msg = errorText(l, v.Error, "")
	}
	pickerPage.Execute(w, pageData(l, map[string]any{"User": v.User, "Client": ar.Client.Name, "Error": msg,
		"Action": a.prefix + "/authorize", "Hidden": hidden, "CSRF": csrf, "Session": v.Session, "Query": v.Query,
		"Results": v.Results, "Searched": v.Searched, "Max": pickerMax}))
}
