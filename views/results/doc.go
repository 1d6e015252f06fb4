// Package results is the workbench's Results pane: a finished run's confusion matrix as a heatmap
// with counts, its classification report, regression scatter plots with Spearman correlations,
// and for pair tasks the score distributions with a movable threshold.
package results
