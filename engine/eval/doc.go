// Package eval turns predictions into the numbers a person reads after training: the confusion
// matrix, scikit-learn's classification report, regression correlations, ROC and equal error rate
// for binary and pair tasks, clip voting for segmented datasets, the error index, and the
// predictions CSV.
//
// Everything here is pure computation over plain slices, in float64; callers convert model outputs
// (float32) before calling. The numbers follow scikit-learn and SciPy (zero_division=0, average
// ranks for ties) and are cross-checked against them in the tests when Python is available.
package eval
