package provincial

import (
	"errors"
	"strconv"

	"dsn"
	"dsn/fhir"
	"dsn/internal/language/words"
	"dsn/mpi"
)

// Activities recorded in Provenance.activity (CodeSystem mpi.System), with
// the French display an archivist reads and its English (storedWords "act.…").
const (
	ActAutoLink = "auto-link"
	ActLink     = "link"
	ActUnlink   = "unlink"
	ActMerge    = "merge"
	ActUnmerge  = "unmerge"
	ActAccept   = "review-accept"
	ActReject   = "review-reject"
)

// entity is one Provenance.entity: a version the step used (role "source")
// or revised (role "revision"), or a prior step it undoes ("removal").
type entity struct {
	role string
	what string // "Type/id/_history/v" or "Type/id"
}

// versionRef names one stored version.
func versionRef(r dsn.Resource) string {
	return r.Type + "/" + r.ID + "/_history/" + strconv.FormatInt(r.VersionID, 10)
}

// provenance records the step that wrote the versions written (FHIR R4
// provenance.html): target = every version written, in order (the first
// Patient puts the Provenance in that patient's compartment), activity from
// mpi.System, the actor as agent, the reason as text. id may be preset
// (links carry it before it is written); "" assigns one.
func (w *work) provenance(id, activity string, actor Actor, reason words.Text, ents []entity, written []dsn.Resource) (dsn.Resource, error) {
	if len(written) == 0 {
		return dsn.Resource{}, dsn.Wrap("provincial.provenance", dsn.KindInternal, errors.New("nothing to trace"))
	}
	var targets []any
	for _, r := range written {
		targets = append(targets, map[string]any{"reference": versionRef(r)})
	}
	p := fhir.Object{
		"resourceType": "Provenance",
		"target":       targets,
		"recorded":     dsn.FormatInstant(w.now),
		"activity": map[string]any{"coding": []any{withText(map[string]any{"system": mpi.System, "code": activity},
			"display", said("act."+activity))}},
		"agent": []any{map[string]any{"who": actor.who()}},
	}
	if id != "" {
		p["id"] = id
	}
	if reason.FR != "" {
		p["reason"] = []any{textObj("text", reason)}
	}
	var es []any
	for _, e := range ents {
		es = append(es, map[string]any{"role": e.role, "what": map[string]any{"reference": e.what}})
	}
	if len(es) > 0 {
		p["entity"] = es
	}
	res, err := w.tx.Put(p)
	if err == nil {
		w.written = append(w.written, res)
	}
	return res, err
}

// ProvenanceExt marks the "replaced-by" link a merge adds with the merge's
// Provenance, so that $unmerge finds what to undo.
const ProvenanceExt = "urn:dsn:extension:mpi-provenance"

func linkWithProvenance(ref, typ, prov string) map[string]any {
	l := link(ref, typ)
	l["extension"] = []any{map[string]any{"url": ProvenanceExt,
		"valueReference": map[string]any{"reference": "Provenance/" + prov}}}
	return l
}
