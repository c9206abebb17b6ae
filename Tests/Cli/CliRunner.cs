namespace IlgpuLstm.Tests.Cli;

/// <summary>Runs the ilgpu-lstm entry point in-process and captures its output.</summary>
public static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = IlgpuLstm.Cli.Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
