package audit

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"dsn"
	"dsn/internal/language/words"
)

// Report is the outcome of Verify.
type Report struct {
	Entries     int64 // entries checked
	Checkpoints int   // checkpoints whose signature and hash matched
	// Broken is the Seq of the first entry that does not verify (0: none),
	// and Problem says why, in French (ProblemEN in English).
	Broken    int64
	Problem   string
	ProblemEN string
}

// verifyWords are the reasons a journal does not verify, in both languages.
var verifyWords = map[string]words.Text{
	"missing":    {FR: "entrée %d manquante (suivante trouvée: %d)", EN: "entry %d missing (next found: %d)"},
	"altered":    {FR: "entrée %d altérée: son empreinte ne suit pas la chaîne", EN: "entry %d altered: its hash does not follow the chain"},
	"checkpoint": {FR: "entrée %d: la chaîne ne correspond pas au point de contrôle signé", EN: "entry %d: the chain does not match the signed checkpoint"},
	"signature":  {FR: "point de contrôle %d: signature invalide", EN: "checkpoint %d: invalid signature"},
	"truncated":  {FR: "journal tronqué: un point de contrôle signé couvre l'entrée %d, la dernière est %d", EN: "journal truncated: a signed checkpoint covers entry %d, the last is %d"},
}

// broken records that entry seq does not verify, for the reason id.
func (r *Report) broken(seq int64, id string, args ...any) {
	t := verifyWords[id].Format(args...)
	r.Broken, r.Problem, r.ProblemEN = seq, t.FR, t.EN
}

// OK tells whether the whole journal verified.
func (r Report) OK() bool { return r.Broken == 0 && r.Problem == "" }

var errStop = errors.New("stop")

// Verify recomputes the whole chain from the first entry: every Seq must
// follow the previous one, every hash must be SHA-256(previous hash, seq,
// body), and every signed checkpoint must carry a valid signature and the
// hash recomputed at its Seq. A checkpoint beyond the last entry means the
// journal was cut short. signer may be nil (checkpoints are then not checked).
func Verify(ctx context.Context, j dsn.Journal, rs dsn.Records, signer Signer) (Report, error) {
	cps, err := checkpoints(ctx, rs)
	if err != nil {
		return Report{}, err
	}
	var rep Report
	var prev []byte
	next := 0 // index in cps of the next checkpoint to meet
	want := int64(1)
	err = j.ScanAudit(ctx, 1, func(a dsn.AuditEntry) error {
		if a.Seq != want {
			rep.broken(want, "missing", want, a.Seq)
			return errStop
		}
		h := chainHash(prev, a.Seq, a.Body)
		if !bytes.Equal(h, a.Hash) {
			rep.broken(a.Seq, "altered", a.Seq)
			return errStop
		}
		for next < len(cps) && cps[next].Seq == a.Seq {
			c := cps[next]
			if c.Hash != hex.EncodeToString(h) {
				rep.broken(a.Seq, "checkpoint", a.Seq)
				return errStop
			}
			if signer != nil && !signer.VerifySignature(ctx, c.Kid, c.payload(), c.Sig) {
				rep.broken(a.Seq, "signature", a.Seq)
				return errStop
			}
			rep.Checkpoints++
			next++
		}
		prev = a.Hash
		rep.Entries++
		want++
		return nil
	})
	if err != nil && err != errStop {
		return rep, err
	}
	if rep.OK() && next < len(cps) {
		rep.broken(cps[next].Seq, "truncated", cps[next].Seq, want-1)
	}
	return rep, nil
}

// checkpoints lists the signed checkpoints in Seq order (their ids are the
// zero-padded Seq, so ID order is Seq order).
func checkpoints(ctx context.Context, rs dsn.Records) ([]Checkpoint, error) {
	if rs == nil {
		return nil, nil
	}
	recs, err := rs.ListRecords(ctx, kindCheckpoint)
	if err != nil {
		return nil, err
	}
	out := make([]Checkpoint, 0, len(recs))
	for _, r := range recs {
		var c Checkpoint
		if err := json.Unmarshal(r.Body, &c); err != nil {
			return nil, fmt.Errorf("point de contrôle %s illisible: %w", r.ID, err)
		}
		out = append(out, c)
	}
	return out, nil
}
