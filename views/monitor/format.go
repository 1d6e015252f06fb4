package monitor

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

func trimFloat(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }

func formatE(v float64) string { return strconv.FormatFloat(v, 'e', 1, 64) }

func padLeft(s string, w int) string {
	if len(s) >= w {
		return s
	}
	return strings.Repeat(" ", w-len(s)) + s
}

// duration writes a duration as people read an ETA: 45s, 3m12s, 1h04m.
func duration(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%dh%02dm", s/3600, s/60%60)
}

// lr writes a learning rate compactly (1e-03, 1.5e-04).
func lr(v float64) string {
	if v == 0 {
		return "0"
	}
	s := strconv.FormatFloat(v, 'g', 3, 64)
	return s
}
