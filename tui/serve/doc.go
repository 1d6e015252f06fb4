// Package serve serves the workbench over SSH: every connection gets its own workbench over one
// shared engine hub, behind public-key authentication, read-only keys and folder confinement.
package serve
