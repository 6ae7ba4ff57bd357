package access

import (
	"context"
	"encoding/json"
	"regexp"
	"time"

	"dsn"
)

// SMART App Launch 2 launch contexts (app-launch/scopes-and-launch-context.html):
//
//   - EHR launch: an authenticated clinician or EHR system asks for a launch
//     context (patient, optional encounter) and passes its opaque launch
//     value to the app, which sends it to /authorize with the launch scope;
//     the context is taken there (one use) and ends up in the token response
//     and the access token;
//   - standalone launch with launch/patient: after sign-in, staff choose the
//     patient on a picker page (authapi); the picker's state between its
//     searches is a PickerSession.
//
// Whether the user may see the patient is the policy's business, asked
// through the same guard as /fhir by the caller (authapi.Patients).

// LaunchTTL is the life of a launch context; PickerTTL of a picker session.
const (
	LaunchTTL = 5 * time.Minute
	PickerTTL = 10 * time.Minute
)

const (
	kindLaunch = "launch-context"
	kindPicker = "patient-picker"
)

// LaunchContext is what a launch value stands for.
type LaunchContext struct {
	Patient   string    `json:"patient"`
	Encounter string    `json:"encounter,omitempty"`
	Creator   string    `json:"creator"` // agent: user:ID or client:ID
	Client    string    `json:"client,omitempty"`
	Expires   time.Time `json:"expires"`
}

var fhirID = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

// CheckLaunchIDs validates a patient id and an optional encounter id.
// Errors: KindInvalid.
func CheckLaunchIDs(patient, encounter string) error {
	if !fhirID.MatchString(patient) {
		return errorf("access.Launch", dsn.KindInvalid, "launch.patient")
	}
	if encounter != "" && !fhirID.MatchString(encounter) {
		return errorf("access.Launch", dsn.KindInvalid, "launch.encounter")
	}
	return nil
}

// CreateLaunch keeps a launch context made by p (staff or a back-end
// system: a citizen launches nothing for others) and returns its opaque
// launch value. The caller checked that p may see the patient.
// Errors: KindForbidden, KindInvalid.
func (s *Service) CreateLaunch(ctx context.Context, p *Principal, patient, encounter string) (string, LaunchContext, error) {
	if p.Realm == RealmCitizen {
		return "", LaunchContext{}, errorf("access.CreateLaunch", dsn.KindForbidden, "launch.staff")
	}
	if err := CheckLaunchIDs(patient, encounter); err != nil {
		return "", LaunchContext{}, err
	}
	lc := LaunchContext{Patient: patient, Encounter: encounter, Creator: p.Agent(), Client: p.ClientID,
		Expires: s.clock.Now().Add(LaunchTTL)}
	launch := randomToken(32)
	return launch, lc, s.put(ctx, kindLaunch, digest(launch), "", lc)
}

// Launch returns the context of a launch value without using it.
// Errors: KindNotFound (unknown, used or expired).
func (s *Service) Launch(ctx context.Context, launch string) (LaunchContext, error) {
	var lc LaunchContext
	if launch == "" || len(launch) > 256 || s.get(ctx, kindLaunch, digest(launch), &lc) != nil || !s.clock.Now().Before(lc.Expires) {
		return LaunchContext{}, errorf("access.Launch", dsn.KindNotFound, "launch.unknown")
	}
	return lc, nil
}

// TakeLaunch uses a launch value (once) for user u: a context made by a
// user serves that user only. Errors: KindNotFound, KindForbidden.
func (s *Service) TakeLaunch(ctx context.Context, launch string, u User) (LaunchContext, error) {
	var lc LaunchContext
	rec, err := s.records.TakeRecord(ctx, kindLaunch, digest(launch))
	if err != nil || json.Unmarshal(rec.Body, &lc) != nil || !s.clock.Now().Before(lc.Expires) {
		return LaunchContext{}, errorf("access.TakeLaunch", dsn.KindNotFound, "launch.unknown")
	}
	// made by a user: for that user; made by a back-end system (an EHR):
	// for whoever signs in (their policy still applies)
	if lc.Creator != "client:"+lc.Client && lc.Creator != "user:"+u.ID {
		return LaunchContext{}, errorf("access.TakeLaunch", dsn.KindForbidden, "launch.other-user")
	}
	return lc, nil
}

// PickerSession is a signed-in user choosing a patient for an app's
// authorisation (standalone launch/patient): bound to the app's request.
type PickerSession struct {
	User        string    `json:"user"`
	Client      string    `json:"client"`
	RedirectURI string    `json:"redirectUri"`
	Challenge   string    `json:"challenge"`
	Expires     time.Time `json:"expires"`
}

// StartPicker opens a picker session for u after they signed in for ar and
// returns its random id.
func (s *Service) StartPicker(ctx context.Context, ar AuthorizeRequest, u User) (string, error) {
	id := randomToken(32)
	ps := PickerSession{User: u.ID, Client: ar.Client.ID, RedirectURI: ar.RedirectURI, Challenge: ar.Challenge,
		Expires: s.clock.Now().Add(PickerTTL)}
	return id, s.put(ctx, kindPicker, digest(id), "", ps)
}

// Picker returns the user of a picker session, which must belong to the
// same authorisation request and to a user still enabled.
// Errors: KindNotFound.
func (s *Service) Picker(ctx context.Context, id string, ar AuthorizeRequest) (User, error) {
	var ps PickerSession
	bad := errorf("access.Picker", dsn.KindNotFound, "launch.picker")
	if id == "" || len(id) > 256 || s.get(ctx, kindPicker, digest(id), &ps) != nil || !s.clock.Now().Before(ps.Expires) ||
		ps.Client != ar.Client.ID || ps.RedirectURI != ar.RedirectURI || ps.Challenge != ar.Challenge {
		return User{}, bad
	}
	u, err := s.User(ctx, ps.User)
	if err != nil || u.Disabled {
		return User{}, bad
	}
	return u, nil
}

// EndPicker closes a picker session (the patient was chosen).
func (s *Service) EndPicker(ctx context.Context, id string) error {
	return s.records.DeleteRecord(ctx, kindPicker, digest(id))
}
