package meteo

import "time"

// Decalage is the offset, within every interval, of the slots of check s
// of an access point (see SetCibles).
func Decalage(fqdnDB string, s Sonde, interval time.Duration) time.Duration {
	return spread(fqdnDB+string(s), interval)
}
