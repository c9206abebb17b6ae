using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace IlgpuLstm.Tests.Api;

/// <summary>
/// The library's public surface read by reflection: every public type and member (and protected
/// ones of unsealed types) as the C# compiler's XML documentation ids, so the same id finds a
/// member's docs. Members the compiler makes for records (equality, cloning, printing) and
/// accessors are left out: they are implied by what declares them.
/// </summary>
internal static class PublicApi
{
    public sealed record Entry(string Id, string Line, MemberInfo Member);

    public static List<Entry> Of(Assembly assembly)
    {
        var entries = new List<Entry>();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            entries.Add(new Entry("T:" + TypeId(type), $"{Kind(type)} {TypeId(type)}{Bases(type)}{Obsolete(type)}", type));
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                         BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (!Visible(member) || Implied(type, member)) continue;
                var (id, line) = Describe(type, member);
                entries.Add(new Entry(id, line + Obsolete(member), member));
            }
        }
        return [.. entries.OrderBy(e => e.Id, StringComparer.Ordinal).ThenBy(e => e.Line, StringComparer.Ordinal)];
    }

    private static bool Visible(MemberInfo member) => member switch
    {
        MethodBase m => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly,
        FieldInfo f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly,
        PropertyInfo p => p.GetAccessors(nonPublic: true).Any(Visible),
        EventInfo e => e.AddMethod is { } add && Visible(add),
        Type t => t.IsNestedPublic || t.IsNestedFamily,
        _ => false,
    };

    private static bool Implied(Type type, MemberInfo member)
    {
        if (member is Type) return true; // nested types are listed as types
        if (member is MethodInfo { IsSpecialName: true } special && !special.Name.StartsWith("op_", StringComparison.Ordinal)) return true;
        if (member is FieldInfo { IsSpecialName: true }) return true; // an enum's value__
        if (member.IsDefined(typeof(CompilerGeneratedAttribute), false)) return true;
        if (member.Name is "EqualityContract" or "<Clone>$" or "PrintMembers") return true;
        bool record = type.GetMethod("<Clone>$") != null || (type.IsValueType && type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) != null);
        if (record && member is MethodInfo m)
        {
            if (m.Name is "Equals" or "GetHashCode" or "ToString" or "op_Equality" or "op_Inequality") return true;
            if (m.Name == "Deconstruct") return true;
        }
        if (record && member is ConstructorInfo c && c.GetParameters() is [{ } only] && only.ParameterType == type) return true; // the copy constructor
        return false;
    }

    private static (string Id, string Line) Describe(Type type, MemberInfo member)
    {
        string owner = TypeId(type);
        switch (member)
        {
            case ConstructorInfo c:
                {
                    string id = $"M:{owner}.#ctor{Parameters(c.GetParameters())}";
                    return (id, $"{Access(c)}ctor {owner}{Signature(c.GetParameters())}");
                }
            case MethodInfo m:
                {
                    string arity = m.IsGenericMethodDefinition ? $"``{m.GetGenericArguments().Length}" : "";
                    string conversion = m.Name is "op_Implicit" or "op_Explicit" ? "~" + TypeId(m.ReturnType) : "";
                    string id = $"M:{owner}.{m.Name}{arity}{Parameters(m.GetParameters())}{conversion}";
                    string modifiers = (m.IsStatic ? "static " : "") + (m.IsAbstract && !type.IsInterface ? "abstract " : "") +
                        (m.IsVirtual && !m.IsAbstract && !m.IsFinal && !type.IsInterface ? "virtual " : "");
                    return (id, $"{Access(m)}{modifiers}{TypeId(m.ReturnType)} {owner}.{m.Name}{arity}{Signature(m.GetParameters())}");
                }
            case PropertyInfo p:
                {
                    var index = p.GetIndexParameters();
                    string id = $"P:{owner}.{p.Name}{(index.Length > 0 ? Parameters(index) : "")}";
                    var accessors = new StringBuilder();
                    if (p.GetMethod is { } get && Visible(get)) accessors.Append(" get;");
                    if (p.SetMethod is { } set && Visible(set))
                        accessors.Append(set.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)) ? " init;" : " set;");
                    bool isStatic = (p.GetMethod ?? p.SetMethod)!.IsStatic;
                    return (id, $"{(isStatic ? "static " : "")}{TypeId(p.PropertyType)} {owner}.{p.Name} {{{accessors} }}");
                }
            case FieldInfo f:
                {
                    string value = f.IsLiteral ? " = " + Literal(f.GetRawConstantValue()) : "";
                    string modifiers = f.IsLiteral ? "const " : (f.IsStatic ? "static " : "") + (f.IsInitOnly ? "readonly " : "");
                    return ($"F:{owner}.{f.Name}", $"{modifiers}{TypeId(f.FieldType)} {owner}.{f.Name}{value}");
                }
            case EventInfo e:
                return ($"E:{owner}.{e.Name}", $"event {TypeId(e.EventHandlerType!)} {owner}.{e.Name}");
            default:
                throw new InvalidOperationException($"unexpected member {member}");
        }
    }

    private static string Access(MethodBase m) => m.IsFamily || m.IsFamilyOrAssembly ? "protected " : "";

    private static string Kind(Type t) =>
        t.IsEnum ? "enum" : t.IsInterface ? "interface" : t.IsValueType ? "struct" :
        typeof(Delegate).IsAssignableFrom(t) ? "delegate" :
        (t.IsAbstract && t.IsSealed ? "static class" : t.IsSealed ? "sealed class" : t.IsAbstract ? "abstract class" : "class");

    private static string Bases(Type t)
    {
        var bases = new List<string>();
        if (t.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum)) bases.Add(TypeId(b));
        bases.AddRange(t.GetInterfaces().Where(i => !i.Name.StartsWith("IEquatable", StringComparison.Ordinal)).Select(TypeId)
            .OrderBy(n => n, StringComparer.Ordinal));
        return bases.Count == 0 ? "" : " : " + string.Join(", ", bases);
    }

    private static string Obsolete(MemberInfo member) => member.IsDefined(typeof(ObsoleteAttribute), false) ? " [Obsolete]" : "";

    private static string Parameters(ParameterInfo[] parameters) =>
        parameters.Length == 0 ? "" : "(" + string.Join(",", parameters.Select(p => TypeId(p.ParameterType))) + ")";

    private static string Signature(ParameterInfo[] parameters) =>
        "(" + string.Join(", ", parameters.Select(p =>
            $"{(p.IsOut ? "out " : "")}{TypeId(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + Literal(p.DefaultValue) : "")}")) + ")";

    /// <summary>A default value on one line, as C# would write it.</summary>
    private static string Literal(object? value) => value switch
    {
        null => "null",
        string text => System.Text.Json.JsonSerializer.Serialize(text),
        bool flag => flag ? "true" : "false",
        IFormattable number => number.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>A type as documentation ids write it: namespace-qualified, nested with '.', generic arguments in braces.</summary>
    public static string TypeId(Type t)
    {
        if (t.IsByRef) return TypeId(t.GetElementType()!) + "@";
        if (t.IsPointer) return TypeId(t.GetElementType()!) + "*";
        if (t.IsArray) return TypeId(t.GetElementType()!) + (t.GetArrayRank() == 1 ? "[]" : "[" + string.Join(",", Enumerable.Repeat("0:", t.GetArrayRank())) + "]");
        if (t.IsGenericParameter) return (t.DeclaringMethod != null ? "``" : "`") + t.GenericParameterPosition;
        string name = t.IsNested ? TypeId(t.DeclaringType!) + "." + t.Name : (t.Namespace is { } ns ? ns + "." : "") + t.Name;
        if (!t.IsGenericType || t.IsGenericTypeDefinition) return name;
        // A constructed type lists its own arguments (a nested type's include its outer type's).
        var args = t.GetGenericArguments();
        int outer = t.IsNested ? t.DeclaringType!.GetGenericArguments().Length : 0;
        string bare = name[..(name.LastIndexOf('`') is var tick and > 0 ? tick : name.Length)];
        return bare + "{" + string.Join(",", args.Skip(outer).Select(TypeId)) + "}";
    }
}
