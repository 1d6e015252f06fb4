// Package featureview draws an extracted feature (any kind of `hark features`) with the axis,
// units and range that suit it; the CLI's --render and the inspector pane share it.
package featureview
