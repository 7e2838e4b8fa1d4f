//! Closed sets of the domain: an enum whose every value has a stable code, the text stored
//! in the database and used in the API. One declaration gives the enum, its codes
//! (`code`), the way back (`parse`, and `FromStr` with [`super::UnknownCode`]) and every
//! value in order (`ALL`).

/// Declares a closed set: `enum Name { Variant = "CODE", ... }`, with the enum's and the
/// variants' attributes passed through.
#[macro_export]
macro_rules! closed_set {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];

            /// The stable code of the value.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            /// The value of a stable code.
            pub fn parse(code: &str) -> Option<$name> {
                $name::ALL.into_iter().find(|v| v.code() == code)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::domain::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s).ok_or($crate::domain::UnknownCode)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::closed_set! {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Colour {
            Red = "RED",
            /// A documented value.
            DarkBlue = "DARK_BLUE",
        }
    }

    #[test]
    fn codes_go_both_ways() {
        assert_eq!(Colour::ALL, [Colour::Red, Colour::DarkBlue]);
        assert_eq!(Colour::DarkBlue.code(), "DARK_BLUE");
        assert_eq!(Colour::parse("RED"), Some(Colour::Red));
        assert_eq!(Colour::parse("red"), None);
        assert_eq!("DARK_BLUE".parse::<Colour>(), Ok(Colour::DarkBlue));
        assert_eq!("GREEN".parse::<Colour>(), Err(crate::domain::UnknownCode));
    }
}
