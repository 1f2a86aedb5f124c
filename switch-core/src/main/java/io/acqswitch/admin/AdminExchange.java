package io.acqswitch.admin;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * One request as a {@link AdminHttpServer.Route} sees it: the JDK's {@link HttpExchange} shape, which
 * the routes were written against, filled from a request Netty has already read whole. Request
 * method, URI, headers and body can be read; response headers can be set (they go out with the
 * route's {@link AdminHttpServer.Reply}). A route answers by returning its reply, so the response
 * stream, {@code sendResponseHeaders} and the JDK server's context do not exist here.
 */
final class AdminExchange extends HttpExchange {
    private final String method;
    private final URI uri;
    private final String protocol;
    private final Headers requestHeaders;
    private final Headers responseHeaders = new Headers();
    private final byte[] body;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private final Map<String, Object> attributes = new HashMap<>();

    AdminExchange(String method, URI uri, String protocol, Headers requestHeaders, byte[] body,
                  InetSocketAddress remote, InetSocketAddress local) {
        this.method = method;
        this.uri = uri;
        this.protocol = protocol;
        this.requestHeaders = requestHeaders;
        this.body = body;
        this.remote = remote;
        this.local = local;
    }

    @Override
    public Headers getRequestHeaders() {
        return requestHeaders;
    }

    @Override
    public Headers getResponseHeaders() {
        return responseHeaders;
    }

    @Override
    public URI getRequestURI() {
        return uri;
    }

    @Override
    public String getRequestMethod() {
        return method;
    }

    /** @throws UnsupportedOperationException always: routes are mounted on {@link AdminHttpServer}, not in a context */
    @Override
    public HttpContext getHttpContext() {
        throw new UnsupportedOperationException("admin routes have no HttpContext");
    }

    @Override
    public void close() {
        // nothing to release: the request was copied out of Netty's buffers before the route ran
    }

    @Override
    public InputStream getRequestBody() {
        return new ByteArrayInputStream(body);
    }

    /** @throws UnsupportedOperationException always: a route answers by returning a Reply */
    @Override
    public OutputStream getResponseBody() {
        throw new UnsupportedOperationException("a route answers by returning a Reply");
    }

    /** @throws UnsupportedOperationException always: a route answers by returning a Reply */
    @Override
    public void sendResponseHeaders(int rCode, long responseLength) {
        throw new UnsupportedOperationException("a route answers by returning a Reply");
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return remote;
    }

    /** -1: the response is not sent until the route has returned. */
    @Override
    public int getResponseCode() {
        return -1;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return local;
    }

    @Override
    public String getProtocol() {
        return protocol;
    }

    @Override
    public Object getAttribute(String name) {
        return attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        attributes.put(name, value);
    }

    /** @throws UnsupportedOperationException always: there are no streams to filter */
    @Override
    public void setStreams(InputStream i, OutputStream o) {
        throw new UnsupportedOperationException("admin exchanges have no streams to replace");
    }

    /** Null: the bearer token is checked by the server and by the routes, not by an authenticator. */
    @Override
    public HttpPrincipal getPrincipal() {
        return null;
    }
}
