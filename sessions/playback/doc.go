// Package playback plays a recorded session's run events back, paced by their timestamps, as a
// fake engine: the workbench watches it through the same run calls (Runs, History, Watch) as the
// live engine, and a Deck puts played-back sessions beside the live runs.
package playback
