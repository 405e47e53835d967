/**
 * P2P image distribution: pulls take a layer's pieces from other pouchds, and from the registry only where nobody
 * has them yet.
 * <ul>
 * <li>{@link io.pouch.daemon.p2p.P2pBlobs} is the pull path's one seam; {@link io.pouch.daemon.p2p.P2pPeer} is its
 * implementation: a piece server plus a downloader ({@code PieceDownload}) per blob.</li>
 * <li>{@link io.pouch.daemon.p2p.SchedulerServer} (in pouchd, or {@link io.pouch.daemon.p2p.SchedulerMain}) holds in
 * memory who has which verified piece and assigns each missing piece to the least loaded holders with a free upload
 * slot, or to exactly one peer at a time for the registry. Its state may be lost at any moment: a peer that cannot
 * reach it fetches the rest of its pull from the registry, so P2P never fails a pull a direct pull would finish.</li>
 * <li>Every piece is checked against its announced SHA-256 before it is kept or passed on; a peer reported for a
 * bad piece is banned once the scheduler's own fetch of that piece confirms the mismatch.</li>
 * <li>Pieces live in one sparse spool file per blob under the peer's own directory ({@code PieceStore}): servable
 * while the pull runs and for a retention after it (10 minutes by default), finished blobs beyond a disk bound
 * (4 GiB by default) deleted oldest first, the directory emptied at start. A layer therefore costs its size in
 * spool disk for that while, besides containerd's copy.</li>
 * <li>Security ({@link io.pouch.daemon.p2p.P2pSecurity}): mutual TLS with a cluster CA, where the CA's signature is
 * membership and host names are not checked; or a shared bearer token over plain HTTP, which anyone on the path can
 * read along with the pieces: for tests and closed networks only.</li>
 * </ul>
 */
package io.pouch.daemon.p2p;
