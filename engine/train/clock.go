package train

import "time"

// now stamps events. Timestamps are the only non-deterministic values a run reports; metrics
// never depend on them.
func now() time.Time { return time.Now().UTC() }
