/**
 * Route matching: path patterns compiled into a per-host segment trie, where the most
 * specific route wins and a path that matches with another method is told apart (405
 * with {@code Allow}) from one that matches nothing (404).
 */
@NullMarked
package dev.baton.routing;

import org.jspecify.annotations.NullMarked;
