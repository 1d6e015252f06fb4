// Package extract turns audio files into named features (the kinds of `hark features`) from one
// serialisable configuration, one file or a whole folder at a time on every core.
package extract
