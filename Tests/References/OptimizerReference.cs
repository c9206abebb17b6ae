namespace IlgpuLstm.References;

/// <summary>
/// Float64 twins of Kernels.Optimizers and Kernels.GradNorm, written from PyTorch's documented
/// algorithms (torch.optim.Adam, SGD, RMSprop; torch.nn.utils.clip_grad_norm_).
/// </summary>
public static class OptimizerReference
{
    public static double ClipCoefficient(double[] grads, double maxNorm)
    {
        double norm = Math.Sqrt(grads.Sum(g => g * g));
        return Math.Min(1.0, maxNorm / (norm + 1e-6));
    }

    /// <summary>One Adam step t (1-based) in place.</summary>
    public static void Adam(double[] p, double[] g, double[] m, double[] v, int t, double lr, double beta1, double beta2,
        double eps, double weightDecay, double coef)
    {
        for (int i = 0; i < p.Length; i++)
        {
            double gi = g[i] * coef + weightDecay * p[i];
            m[i] = beta1 * m[i] + (1 - beta1) * gi;
            v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
            // PyTorch adds eps to sqrt(v)/sqrt(1-β2^t), after the bias correction of v.
            double denom = Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(beta2, t)) + eps;
            p[i] -= lr / (1 - Math.Pow(beta1, t)) * m[i] / denom;
        }
    }

    public static void Sgd(double[] p, double[] g, double[] buf, double lr, double momentum, bool nesterov,
        double weightDecay, double coef)
    {
        for (int i = 0; i < p.Length; i++)
        {
            double gi = g[i] * coef + weightDecay * p[i];
            double step = gi;
            if (momentum != 0)
            {
                buf[i] = momentum * buf[i] + gi;
                step = nesterov ? gi + momentum * buf[i] : buf[i];
            }
            p[i] -= lr * step;
        }
    }

    public static void RmsProp(double[] p, double[] g, double[] sq, double lr, double alpha, double eps,
        double weightDecay, double coef)
    {
        for (int i = 0; i < p.Length; i++)
        {
            double gi = g[i] * coef + weightDecay * p[i];
            sq[i] = alpha * sq[i] + (1 - alpha) * gi * gi;
            p[i] -= lr * gi / (Math.Sqrt(sq[i]) + eps);
        }
    }
}
