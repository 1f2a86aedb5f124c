/** Netty I/O: the terminal server (framing, ISO decode, classification) and the links to issuer hosts. */
package io.acqswitch.net;
