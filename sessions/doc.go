// Package sessions reads, writes, records, verifies and compares Hark session files: versioned,
// checksummed JSON documents that hold the steps of a piece of work and every run's spec,
// per-epoch events, results and artifacts (see docs/session.md).
package sessions
