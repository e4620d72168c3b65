package comptes

// Action is a kind of act in the portal, checked with Peut.
type Action string

// The actions of the portal.
const (
	// ActionLire reads: an ANS role reads everything, an operator role
	// only its own operator's data (Compte.VoitOperateur, and the
	// registry for registre.RoleOperateur principals).
	ActionLire Action = "lire"
	// ActionDeposer files a request (demande), answers ANS's questions
	// and downloads attestations: the operator's legal representative or
	// a mandataire ("Être le Représentant légal ou un des mandataires").
	ActionDeposer Action = "deposer"
	// ActionTechnique changes the technical data of the operator's
	// DRIMboxes (hostnames, certificate DNs, VA document): its technical
	// administrator or its legal representative.
	ActionTechnique Action = "technique"
	// ActionInstruire instructs requests, accepts or refuses them and
	// excludes DRIMboxes: ANS's administrator.
	ActionInstruire Action = "instruire"
	// ActionAdministrer manages accounts and settings: ANS's administrator.
	ActionAdministrer Action = "administrer"
)

// Actions lists every action.
var Actions = []Action{ActionLire, ActionDeposer, ActionTechnique, ActionInstruire,
	ActionAdministrer}

// permissions is the whole policy: the roles allowed for each action.
var permissions = map[Action][]Role{
	ActionLire:        Roles,
	ActionDeposer:     {RoleRepresentantLegal, RoleMandataire},
	ActionTechnique:   {RoleRepresentantLegal, RoleAdminTechnique},
	ActionInstruire:   {RoleAdminANS},
	ActionAdministrer: {RoleAdminANS},
}

// Peut reports whether role r may perform action a. Unknown roles and
// actions may do nothing. Peut says nothing of whose data: for operator
// roles, Compte.VoitOperateur (and the registry) scope every act to the
// account's operator.
func Peut(r Role, a Action) bool {
	for _, allowed := range permissions[a] {
		if allowed == r {
			return true
		}
	}
	return false
}

// LectureSeule reports whether a changes nothing.
func (a Action) LectureSeule() bool { return a == ActionLire }
