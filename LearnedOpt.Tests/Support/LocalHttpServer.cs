using System.Net;
using System.Net.Sockets;

namespace LearnedOpt.Tests.Support;

/// <summary>
/// A tiny HTTP server on 127.0.0.1 at a free port serving fixed files; any other path answers 404.
/// Tests aim the fetcher's HTTP source at it instead of the internet.
/// </summary>
internal sealed class LocalHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, byte[]> _files;
    private readonly TimeSpan _delay;
    private readonly Task _loop;

    public LocalHttpServer(Dictionary<string, byte[]> files, TimeSpan delay = default)
    {
        _files = files;
        _delay = delay;
        int port = FreePort();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/data/");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    /// <summary>Where the files are served (ending with a slash).</summary>
    public Uri BaseUrl { get; }

    /// <summary>The paths requested so far.</summary>
    public List<string> Requests { get; } = [];

    /// <summary>A loopback port that nothing listens on (connections are refused at once).</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(() => Answer(context));
        }
    }

    private async Task Answer(HttpListenerContext context)
    {
        try
        {
            string path = context.Request.Url!.AbsolutePath;
            lock (Requests) Requests.Add(path);
            if (_delay > TimeSpan.Zero) await Task.Delay(_delay);
            string name = path.StartsWith("/data/", StringComparison.Ordinal) ? path["/data/".Length..] : "";
            if (_files.TryGetValue(name, out byte[]? body))
            {
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
            }
            else
            {
                context.Response.StatusCode = 404;
            }
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
        {
            // the client gave up (a timeout test) or the server is stopping
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
