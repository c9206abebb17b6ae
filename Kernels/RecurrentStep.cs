using ILGPU;

namespace IlgpuLstm.Kernels;

/// <summary>
/// One forward time step of a recurrent layer in one launch: the recurrent GEMM
/// <c>gh = h_{t-1} · W_hhᵀ + b_hh</c> with the cell in its epilogue (the contract of
/// Engine's IOps.RecurrentForwardStep). A group of (tile, tile) threads owns <c>tile</c> hidden
/// units (x) of <c>tile</c> batch rows (y) and every gate of them: thread (x, y) accumulates the
/// 1, 3 or 4 gate sums of unit j0+x for row b0+y over K in shared-memory tiles, so when the
/// loop ends it holds all its unit's gates and applies the cell at once, with no second pass
/// over gh. W_hh comes transposed (H x G) so the tile loads read consecutive addresses.
/// Shared memory is static, sized for <see cref="LaunchPolicy.MaxGemmTile"/> (see Gemm.TiledBlocked).
/// Launch over (ceil(H/tile), ceil(B/tile)) groups. <c>cell</c> is a <see cref="CellCodes"/> value; the cell math is
/// the cells' own <c>Unit</c> functions, the same the cell kernels call.
/// </summary>
internal static class RecurrentStep
{
    private const int MaxGates = 4;
    private const int SharedFloats = LaunchPolicy.MaxGemmTile * LaunchPolicy.MaxGemmTile * (1 + MaxGates);

    public static void Forward(ArrayView<float> hPrev, ArrayView<float> wHhT, ArrayView<float> bHh, ArrayView<float> gx,
        ArrayView<float> gh, ArrayView<float> cPrev, ArrayView<float> c, ArrayView<float> hNext, int batch, int hidden,
        int cell, int tile)
    {
        var shared = SharedMemory.Allocate<float>(SharedFloats);
        int gates = CellCodes.Gates(cell), g = gates * hidden, area = tile * tile;
        int tx = Group.IdxX, ty = Group.IdxY;
        int j = Grid.IdxX * tile + tx, b = Grid.IdxY * tile + ty;
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        for (int k0 = 0; k0 < hidden; k0 += tile)
        {
            // h tile [row ty][k tx]; W tiles [gate][k ty][unit tx].
            int kh = k0 + tx;
            shared[ty * tile + tx] = b < batch && kh < hidden ? hPrev[b * hidden + kh] : 0f;
            int kw = k0 + ty;
            for (int q = 0; q < gates; q++)
                shared[area * (1 + q) + ty * tile + tx] = kw < hidden && j < hidden ? wHhT[kw * g + q * hidden + j] : 0f;
            Group.Barrier();
            for (int kk = 0; kk < tile; kk++)
            {
                float a = shared[ty * tile + kk];
                s0 += a * shared[area + kk * tile + tx];
                if (gates > 1)
                {
                    s1 += a * shared[2 * area + kk * tile + tx];
                    s2 += a * shared[3 * area + kk * tile + tx];
                }
                if (gates > 3) s3 += a * shared[4 * area + kk * tile + tx];
            }
            Group.Barrier();
        }
        if (b >= batch || j >= hidden) return;
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
