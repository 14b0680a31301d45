from nn_blog.cli import main

if __name__ == "__main__":
    main()
