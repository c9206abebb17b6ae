using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>
/// One forward time step of a recurrent layer in one launch: the recurrent GEMM
/// <c>gh = h_{t-1} · W_hhᵀ + b_hh</c> with the cell in its epilogue (the contract of
/// Engine's IOps.RecurrentForwardStep). A group of (tile, tile) threads owns <c>tile</c> hidden
/// units (x) of <see cref="Rows"/>·<c>tile</c> batch rows (y) and every gate of them: thread (x, y)
/// accumulates the 1, 3 or 4 gate sums of unit j0+x for rows b0+y and b0+y+tile over K in
/// shared-memory tiles, so when the loop ends it holds all its units' gates and applies the cell
/// at once, with no second pass over gh. Two rows a thread read each W value from shared memory
/// once for both, and the W tile keeps a unit's gates side by side, so one 128-bit load
/// (<see cref="Float4"/>) reads all four: per k, 2 shared loads of h and 1 of W for an LSTM's 8
/// FMAs (6 loads with the gates in separate tiles, 5 per 4 FMAs with one row), while the lesson's
/// 128 x 512 step still makes 128 groups. W_hh comes transposed (H x G) so the tile
/// loads read consecutive addresses. Each output sums its products in increasing k.
/// Shared memory is static, sized for <see cref="LaunchPolicy.MaxGemmTile"/> (see Gemm.TiledBlocked).
/// Launch over (ceil(H/tile), ceil(B/(Rows·tile))) groups. <c>cell</c> is a <see cref="CellCodes"/> value; the cell math is
/// the cells' own <c>Unit</c> functions, the same the cell kernels call.
/// </summary>
internal static class RecurrentStep
{
    /// <summary>Batch rows each thread computes (at stride tile).</summary>
    public const int Rows = 2;

    private const int MaxGates = 4;
    private const int SharedFloats = LaunchPolicy.MaxGemmTile * LaunchPolicy.MaxGemmTile * (Rows + MaxGates) + 4;

    public static void Forward(ArrayView<float> hPrev, ArrayView<float> wHhT, ArrayView<float> bHh, ArrayView<float> gx,
        ArrayView<float> gh, ArrayView<float> cPrev, ArrayView<float> c, ArrayView<float> hNext, int batch, int hidden,
        int cell, int tile)
    {
        var shared = SharedMemory.Allocate<float>(SharedFloats);
        int gates = CellCodes.Gates(cell), g = gates * hidden, area = tile * tile;
        int wBase = (Rows * area + 3) / 4 * 4; // 16-byte aligned for the W tile's quads (Rows·tile² is, from tile 2)
        int tx = Group.IdxX, ty = Group.IdxY;
        int j = Grid.IdxX * tile + tx, b = Grid.IdxY * Rows * tile + ty, b2 = b + tile;
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, t0 = 0f, t1 = 0f, t2 = 0f, t3 = 0f;
        var weights = shared.SubView(wBase, MaxGates * area).Cast<Float4>();
        for (int k0 = 0; k0 < hidden; k0 += tile)
        {
            // h tiles [row ty and ty + tile][k tx]; the W tile [k ty][unit tx][gate] (4 slots a unit;
            // an RNN's or GRU's unused ones are never read as values).
            int kh = k0 + tx;
            shared[ty * tile + tx] = b < batch && kh < hidden ? hPrev[b * hidden + kh] : 0f;
            shared[area + ty * tile + tx] = b2 < batch && kh < hidden ? hPrev[b2 * hidden + kh] : 0f;
            int kw = k0 + ty;
            for (int q = 0; q < gates; q++)
                shared[wBase + (ty * tile + tx) * MaxGates + q] = kw < hidden && j < hidden ? wHhT[kw * g + q * hidden + j] : 0f;
            Group.Barrier();
            for (int kk = 0; kk < tile; kk++)
            {
                float a = shared[ty * tile + kk], a2 = shared[area + ty * tile + kk];
                var w = weights[kk * tile + tx];
                s0 += a * w.X;
                t0 += a2 * w.X;
                if (gates > 1)
                {
                    s1 += a * w.Y;
                    s2 += a * w.Z;
                    t1 += a2 * w.Y;
                    t2 += a2 * w.Z;
                }
                if (gates > 3)
                {
                    s3 += a * w.W;
                    t3 += a2 * w.W;
                }
            }
            Group.Barrier();
        }
        if (j >= hidden) return;
        if (b < batch) Epilogue(bHh, gx, gh, cPrev, c, hNext, hPrev, hidden, cell, g, b, j, s0, s1, s2, s3);
        if (b2 < batch) Epilogue(bHh, gx, gh, cPrev, c, hNext, hPrev, hidden, cell, g, b2, j, t0, t1, t2, t3);
    }

    /// <summary>The cell on one unit of one row, from its gate sums.</summary>
    private static void Epilogue(ArrayView<float> bHh, ArrayView<float> gx, ArrayView<float> gh, ArrayView<float> cPrev,
        ArrayView<float> c, ArrayView<float> hNext, ArrayView<float> hPrev, int hidden, int cell, int g, int b, int j,
        float s0, float s1, float s2, float s3)
    {
        int row = b * g, unit = b * hidden + j;
        if (cell == CellCodes.Lstm)
        {
            float pi = s0 + bHh[j], pf = s1 + bHh[hidden + j], pg = s2 + bHh[2 * hidden + j], po = s3 + bHh[3 * hidden + j];
            gh[row + j] = pi; gh[row + hidden + j] = pf; gh[row + 2 * hidden + j] = pg; gh[row + 3 * hidden + j] = po;
            var u = LstmCell.Unit(gx[row + j] + pi, gx[row + hidden + j] + pf, gx[row + 2 * hidden + j] + pg,
                gx[row + 3 * hidden + j] + po, cPrev[unit]);
            gx[row + j] = u.I; gx[row + hidden + j] = u.F; gx[row + 2 * hidden + j] = u.G; gx[row + 3 * hidden + j] = u.O;
            c[unit] = u.C;
            hNext[unit] = u.H;
        }
        else if (cell == CellCodes.Gru)
        {
            float pr = s0 + bHh[j], pz = s1 + bHh[hidden + j], pn = s2 + bHh[2 * hidden + j];
            gh[row + j] = pr; gh[row + hidden + j] = pz; gh[row + 2 * hidden + j] = pn;
            var u = GruCell.Unit(gx[row + j] + pr, gx[row + hidden + j] + pz, gx[row + 2 * hidden + j], pn, hPrev[unit]);
            gx[row + j] = u.R; gx[row + hidden + j] = u.Z; gx[row + 2 * hidden + j] = u.N;
            hNext[unit] = u.H;
        }
        else
        {
            float p = s0 + bHh[j];
            gh[row + j] = p;
            hNext[unit] = RnnCell.Unit(gx[row + j] + p);
        }
    }
}
