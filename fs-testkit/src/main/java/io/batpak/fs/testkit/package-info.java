/**
 * The {@link io.batpak.port.StoreFs} conformance kit. Extend {@link
 * io.batpak.fs.testkit.StoreFsContract} in your backend's test sources, implement its hooks, and
 * every rule of the port's contract is checked against your backend; see the class documentation
 * for the hooks and the build settings the cross-process lock tests need.
 */
@NullMarked
package io.batpak.fs.testkit;

import org.jspecify.annotations.NullMarked;
