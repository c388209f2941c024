/**
 * The {@code batpak} command: {@code demo}, {@code inspect}, {@code verify}, {@code dump}, {@code
 * repair} and {@code bench}. {@link io.batpak.cli.Main} is the entry point of the runnable jar
 * {@code cli/target/batpak-cli.jar}, which the {@code ./batpak} launcher in the repository root
 * builds and runs.
 */
package io.batpak.cli;
