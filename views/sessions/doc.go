// Package sessions is the Sessions pane: it lists the session files found in the workbench's
// folders, opens or plays one back on the workbench's run panes, compares two or more (curves
// overlaid and the metrics table with differences), and draws the playback bar.
package sessions
