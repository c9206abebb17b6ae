using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>The activated gates and new state of one LSTM unit (what forward keeps for backward).</summary>
internal struct LstmUnit
{
    public float I, F, G, O, C, H;
}

/// <summary>The pre-activation gradients of one LSTM unit and dL/dc_{t-1}.</summary>
internal struct LstmUnitGradient
{
    public float DI, DF, DG, DO, DcPrev;
}

/// <summary>
/// One LSTM time step, PyTorch semantics and gate order i, f, g, o:
/// <c>i = σ(.), f = σ(.), g = tanh(.), o = σ(.), c = f*c_prev + i*g, h = o*tanh(c)</c>.
/// <see cref="Unit"/> and <see cref="UnitGradient"/> are the math of one unit, called by the cell
/// kernels here, by the fused step (<see cref="RecurrentStep"/>) and by the host path's scalar
/// tails. The kernels: pre-activations arrive as two B x 4H blocks, <c>gx = x W_ih^T + b_ih</c>
/// and <c>gh = h_prev W_hh^T + b_hh</c>; forward overwrites <c>gx</c> with the activated gates,
/// which is all backward needs besides c_prev and c. One thread per (b, j) of B x H.
/// </summary>
internal static class LstmCell
{
    /// <summary>The unit's gates from their pre-activation sums, and its new c and h.</summary>
    public static LstmUnit Unit(float pi, float pf, float pg, float po, float cPrev)
    {
        LstmUnit u;
        u.I = Activations.Sigmoid(pi);
        u.F = Activations.Sigmoid(pf);
        u.G = Activations.Tanh(pg);
        u.O = Activations.Sigmoid(po);
        u.C = u.F * cPrev + u.I * u.G;
        u.H = u.O * Activations.Tanh(u.C);
        return u;
    }

    /// <summary>
    /// From the activated gates, c_prev, tanh(c), the whole dL/dh_t and dL/dc_t from step t+1:
    /// the four pre-activation gradients and dL/dc_{t-1}.
    /// </summary>
    public static LstmUnitGradient UnitGradient(float i, float f, float g, float o, float cPrev, float tanhC, float dh,
        float dcNext)
    {
        LstmUnitGradient d;
        float dc = dcNext + dh * o * (1f - tanhC * tanhC);
        d.DI = dc * g * i * (1f - i);
        d.DF = dc * cPrev * f * (1f - f);
        d.DG = dc * i * (1f - g * g);
        d.DO = dh * tanhC * o * (1f - o);
        d.DcPrev = dc * f;
        return d;
    }

    public static void Forward(Index1D index, ArrayView<float> gx, ArrayView<float> gh,
        ArrayView<float> cPrev, ArrayView<float> cOut, ArrayView<float> hOut, int hidden)
    {
        int b = index / hidden;
        int j = index % hidden;
        int row = b * 4 * hidden;
        int ii = row + j, fi = ii + hidden, gi = fi + hidden, oi = gi + hidden;
        var u = Unit(gx[ii] + gh[ii], gx[fi] + gh[fi], gx[gi] + gh[gi], gx[oi] + gh[oi], cPrev[index]);
        gx[ii] = u.I; gx[fi] = u.F; gx[gi] = u.G; gx[oi] = u.O;
        cOut[index] = u.C;
        hOut[index] = u.H;
    }

    /// <summary>
    /// <paramref name="dh"/> is the whole gradient reaching h_t (from above and from step t+1).
    /// <paramref name="dc"/> holds dL/dc_t from step t+1 on entry and dL/dc_{t-1} on exit.
    /// Writes the pre-activation gradients (B x 4H) to <paramref name="dGates"/>.
    /// </summary>
    public static void Backward(Index1D index, ArrayView<float> gates, ArrayView<float> cPrev,
        ArrayView<float> c, ArrayView<float> dh, ArrayView<float> dc, ArrayView<float> dGates, int hidden)
    {
        int b = index / hidden;
        int j = index % hidden;
        int row = b * 4 * hidden;
        int ii = row + j, fi = ii + hidden, gi = fi + hidden, oi = gi + hidden;
        var d = UnitGradient(gates[ii], gates[fi], gates[gi], gates[oi], cPrev[index], Activations.Tanh(c[index]),
            dh[index], dc[index]);
        dGates[ii] = d.DI; dGates[fi] = d.DF; dGates[gi] = d.DG; dGates[oi] = d.DO;
        dc[index] = d.DcPrev;
    }
}
