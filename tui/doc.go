// Package tui is the workbench's root model: the tab bar of panes, focus, the global keys,
// the footer and full help, and the routing of messages to the panes.
package tui
