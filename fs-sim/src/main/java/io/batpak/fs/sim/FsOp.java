package io.batpak.fs.sim;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * The kinds of {@link io.batpak.port.StoreFs} operation the simulator logs and can fault.
 *
 * <p>{@link io.batpak.port.StoreFs#publish} is logged and faultable as {@link #PUBLISH} (before any
 * step, or after all of them) and, separately, as each of its steps: {@link #SYNC} of the temporary
 * file, {@link #RENAME} onto the target and {@link #DIR_SYNC} of the directory. So a fault can hit
 * after the rename but before the directory sync, and each step counts as an occurrence of its own
 * kind.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public enum FsOp {
  /** {@link io.batpak.port.StoreFs#create}. */
  CREATE,
  /** {@link io.batpak.port.StoreFs#openRead} and {@link io.batpak.port.StoreFs#openWrite}. */
  OPEN,
  /** {@link io.batpak.port.FileHandle#write}. */
  WRITE,
  /** {@link io.batpak.port.FileHandle#read}. */
  READ,
  /** {@link io.batpak.port.FileHandle#sync}, and the first step of a publish. */
  SYNC,
  /** {@link io.batpak.port.StoreFs#syncDirectory}, and the last step of a publish. */
  DIR_SYNC,
  /** {@link io.batpak.port.StoreFs#rename}, and the middle step of a publish. */
  RENAME,
  /** {@link io.batpak.port.StoreFs#deleteIfExists}. */
  DELETE,
  /** {@link io.batpak.port.StoreFs#publish} as a whole. */
  PUBLISH,
  /** {@link io.batpak.port.StoreFs#list}. */
  LIST,
  /** {@link io.batpak.port.StoreFs#lock}. */
  LOCK,
  /** {@link io.batpak.port.StoreFs#copy}. */
  COPY,
  /** {@link io.batpak.port.FileHandle#truncate}. */
  TRUNCATE,
  /** {@link io.batpak.port.StoreFs#createDirectories}. */
  MKDIR,
  /** {@link io.batpak.port.StoreFs#exists}. */
  EXISTS,
  /** {@link io.batpak.port.FileHandle#size}. */
  SIZE,
  /** {@link io.batpak.port.StoreFs#link} (since 0.2). */
  LINK,
  /** {@link io.batpak.port.StoreFs#deleteDirectory} (since 0.2). */
  RMDIR
}
