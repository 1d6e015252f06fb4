// Package cache keeps computed features on disk, keyed by the audio file's content, the feature
// configuration and a code version, so that a dataset is extracted once and reopened in seconds.
//
// # Keys
//
// An entry's key is the SHA-256 of: the entry format (FormatVersion), the features' code version
// (FeaturesVersion, bumped whenever features/ or engine/extract change what they compute), the
// caller's Options.Version, extract.Config.Key(), and the SHA-256 of the file's bytes. A file
// whose bytes change gets a new key and is recomputed; so does any change of configuration or
// version. Renaming or copying a file keeps its entries.
//
// # The stat index
//
// Hashing every file on every open would read the whole dataset again. The cache therefore keeps
// an index from (absolute path, device, inode, size, modification time, change time) to the
// content hash, in an append-only log of checksummed records. A record is trusted only when the
// file's modification and change times are at least RacyMargin older than the moment the record
// was written (the "racily clean" rule of git): a file rewritten within the same timestamp tick
// as its hashing, with the same size, cannot be mistaken for the old one. The change time
// (Linux's ctime, which no user call can set back) also catches a rewrite whose modification
// time was restored with touch -d. On systems other than Linux only size and modification time
// are compared. Set Options.NoIndex to hash every file every time.
//
// # Safety
//
// Entries are written to a temporary file in their final folder and renamed into place, so
// several processes can fill one cache at once and a reader never sees half an entry. Every
// entry carries its key, its exact length and a CRC-32C of its contents; an entry that fails any
// check (truncated, corrupt, written by another format) is counted in Stats.Corrupt, removed and
// recomputed, never trusted. Entries are not fsynced: a crash can at worst leave an entry that
// fails its check. Failed extractions are not cached.
//
// # Layout on disk
//
//	DIR/v1/ab/abcdef....hfc   one entry per (file content, configuration, version)
//	DIR/index-v1.log          the stat index
//
// DIR is Options.Dir, else $HARK_CACHE/features, else the user cache directory's
// hark/features ($XDG_CACHE_HOME/hark/features on Linux).
package cache
