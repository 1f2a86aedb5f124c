/** BIN routing: picks the issuer for a card number by its longest matching prefix or range, with validated hot reload. */
package io.acqswitch.route;
