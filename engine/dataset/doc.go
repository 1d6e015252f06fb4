// Package dataset scans a folder into a Catalog of labelled clips, pairs or regression targets,
// recognising the layouts of the common audio datasets, and splits it honestly.
//
// Open detects the layout (class folders, ESC-50 folders, Speech Commands, file-name labels,
// CSV/JSON manifests, pair lists) and says why it chose it; every file that cannot be used
// becomes a Problem with the file, the line where relevant, and the reason, and the rest of the
// dataset still opens. Split makes seeded, stratified, group-disjoint, list-based, held-out-fold
// and k-fold splits; Segment cuts clips into fixed-length segments that remember their parent;
// GeneratePairs builds same/different pairs from a labelled catalog. All randomness comes from
// explicit seeds.
package dataset
