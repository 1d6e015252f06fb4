package main

import (
	"os"
)

const (
	exitOK    = 0
	exitUser  = 1
	exitUsage = 2
)

func main() { os.Exit(runInspect(os.Args[1:], os.Stdout, os.Stderr)) }
