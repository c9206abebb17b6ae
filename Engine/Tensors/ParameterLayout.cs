namespace IlgpuLstm.Engine.Tensors;

/// <summary>
/// The ordered list of a model's parameters (PyTorch's state_dict order) and where each lives in
/// the flat parameter, gradient and optimizer-moment buffers. Built once; immutable.
/// </summary>
internal sealed class ParameterLayout
{
    private readonly List<ParameterSpec> specs = [];
    private readonly Dictionary<string, ParameterSpec> byName = new(StringComparer.Ordinal);

    public IReadOnlyList<ParameterSpec> Specs => specs;

    public long Count { get; private set; }

    public ParameterSpec Add(string name, params int[] shape)
    {
        var spec = new ParameterSpec(name, shape, Count);
        specs.Add(spec);
        byName.Add(name, spec);
        Count += spec.Length;
        return spec;
    }

    public ParameterSpec this[string name] => byName[name];

    public bool TryGet(string name, out ParameterSpec spec) => byName.TryGetValue(name, out spec!);
}
