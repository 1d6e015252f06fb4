// Package tuitest helps test workbench components without a terminal: it runs their commands
// synchronously, builds key presses from their names, and compares views with golden files.
package tuitest
