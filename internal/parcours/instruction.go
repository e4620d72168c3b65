package parcours

import (
	"context"
	"database/sql"
	"strings"

	"confiance/internal/registre"
)

// Instruire takes a demande into instruction (ANS).
func (s *Service) Instruire(ctx context.Context, p registre.Principal, id int64) (Demande, error) {
	return s.avancer(ctx, p, id, Instruire, "", nil)
}

// DemanderInformation asks the operator for more information (ANS); the
// question goes into the thread.
func (s *Service) DemanderInformation(ctx context.Context, p registre.Principal, id int64,
	question string) (Demande, error) {
	return s.avancer(ctx, p, id, DemanderInformation, question, nil)
}

// Completer answers ANS's question (the operator), with files if needed;
// the demande goes back into instruction.
func (s *Service) Completer(ctx context.Context, p registre.Principal, id int64,
	reponse string, pieces []Fichier) (Demande, error) {
	return s.avancer(ctx, p, id, Completer, reponse, pieces)
}

// Refuser refuses a demande with a reason (ANS).
func (s *Service) Refuser(ctx context.Context, p registre.Principal, id int64,
	motif string) (Demande, error) {
	return s.avancer(ctx, p, id, Refuser, motif, nil)
}

// Cloturer closes an accepted or refused demande (ANS).
func (s *Service) Cloturer(ctx context.Context, p registre.Principal, id int64) (Demande, error) {
	return s.avancer(ctx, p, id, Cloturer, "", nil)
}

// Abandonner withdraws a demande its operator no longer wants.
func (s *Service) Abandonner(ctx context.Context, p registre.Principal,
	id int64) (Demande, error) {
	return s.avancer(ctx, p, id, Abandonner, "", nil)
}

// autoriser checks that p may take action a.
func autoriser(p registre.Principal, a Action) error {
	if ansOnly[a] && !isANS(p) {
		return forbidden("action réservée à l'équipe DRIM-M de l'ANS")
	}
	if !ansOnly[a] && isANS(p) {
		return forbidden("action réservée à l'opérateur qui a déposé la demande")
	}
	return nil
}

// avancer applies an action that does not touch the registry.
func (s *Service) avancer(ctx context.Context, p registre.Principal, id int64, a Action,
	motif string, files []Fichier) (Demande, error) {
	if err := autoriser(p, a); err != nil {
		return Demande{}, err
	}
	motif = strings.TrimSpace(motif)
	if err := motifValide(a, motif); err != nil {
		return Demande{}, err
	}
	d, err := s.modifier(ctx, p, id, 0, func(tx *sql.Tx, d *Demande) ([]Evenement, error) {
		next, err := Next(d.Statut, a)
		if err != nil {
			return nil, registre.Conflictf("%s", err.Error())
		}
		ev := Evenement{Action: string(a), Ancien: string(d.Statut), Nouveau: string(next),
			Motif: motif}
		d.Statut = next
		if motif != "" {
			if err := s.commenter(ctx, tx, d, p, motif, files); err != nil {
				return nil, err
			}
		}
		return []Evenement{ev}, nil
	}, avisAction(a, motif))
	s.step(d, p, string(a), err)
	if err != nil {
		return Demande{}, err
	}
	return d, nil
}

func motifValide(a Action, motif string) error {
	field := map[Action]string{DemanderInformation: "question", Completer: "reponse",
		Refuser: "motif"}[a]
	if field == "" {
		field = "motif"
	}
	if err := texte(motif, needsMotif[a], 4000); err != nil {
		return &registre.ValidationError{Fields: []registre.FieldError{
			{Field: field, Message: err.Error()}}}
	}
	return nil
}

// avisAction returns the notifications of action a, if it has any.
func avisAction(a Action, motif string) func(Demande) []Avis {
	etape := map[Action]Etape{DemanderInformation: EtapeInformationDemandee,
		Completer: EtapeInformationFournie, Refuser: EtapeRefusee}[a]
	if etape == "" {
		return nil
	}
	return func(d Demande) []Avis { return []Avis{{Etape: etape, Demande: d, Motif: motif}} }
}

// Commenter adds a message, and files if any, to a demande's thread.
func (s *Service) Commenter(ctx context.Context, p registre.Principal, id int64,
	message string, pieces []Fichier) (Demande, error) {
	message = strings.TrimSpace(message)
	if err := texte(message, true, 4000); err != nil {
		return Demande{}, &registre.ValidationError{Fields: []registre.FieldError{
			{Field: "message", Message: err.Error()}}}
	}
	return s.modifier(ctx, p, id, 0, func(tx *sql.Tx, d *Demande) ([]Evenement, error) {
		if d.Statut == Cloturee {
			return nil, registre.Conflictf("la demande est clôturée : elle ne reçoit plus de message")
		}
		if err := s.commenter(ctx, tx, d, p, message, pieces); err != nil {
			return nil, err
		}
		return []Evenement{{Action: "commentaire"}}, nil
	}, nil)
}

func (s *Service) commenter(ctx context.Context, tx *sql.Tx, d *Demande, p registre.Principal,
	message string, files []Fichier) error {
	cm := Commentaire{Auteur: p.Nom, ANS: isANS(p), Texte: message, CreeLe: s.now().UTC()}
	if err := s.st.insertComment(ctx, tx, d.ID, &cm); err != nil {
		return err
	}
	pds := make([]pieceDepot, len(files))
	for i := range files {
		pds[i] = pieceDepot{PieceComplement, &files[i]}
	}
	return s.joindre(ctx, tx, d, p, pds)
}
